namespace DitML.Training;

/// <summary>AdamW settings; defaults are the DiT recipe (lr 1e-4, betas (0.9, 0.999), no weight decay).</summary>
public sealed record AdamWOptions
{
    /// <summary>Learning rate (constant, no warm-up, as in the paper).</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to the denominator for stability.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay (0 in the DiT recipe).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Checks the settings; returns this.</summary>
    public AdamWOptions Validate()
    {
        // Written as "not inside" so that NaN (for which every comparison is false) is refused too.
        if (!(LearningRate > 0 && double.IsFinite(LearningRate)))
            throw new ArgumentException($"learning rate (--lr) must be positive and finite, got {LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}", nameof(LearningRate));
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentException($"beta1 must be in [0, 1), got {Beta1}", nameof(Beta1));
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException($"beta2 must be in [0, 1), got {Beta2}", nameof(Beta2));
        if (!(Epsilon > 0 && double.IsFinite(Epsilon))) throw new ArgumentException($"epsilon must be positive, got {Epsilon}", nameof(Epsilon));
        if (!(WeightDecay >= 0 && double.IsFinite(WeightDecay))) throw new ArgumentException($"weight decay must be ≥ 0, got {WeightDecay}", nameof(WeightDecay));
        return this;
    }
}
