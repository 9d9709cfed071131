using System.Globalization;
using System.Text.Json.Serialization;

namespace DitML.Training;

/// <summary>
/// The learning rate over a run, as a factor of <see cref="AdamWOptions.LearningRate"/>: a linear warm-up over the
/// first <see cref="WarmupSteps"/> updates, then constant until <see cref="DecayStartStep"/>, then a decay that reaches
/// <see cref="FinalFraction"/> at the run's last step (<see cref="TrainerOptions.Steps"/>). The default is the DiT
/// recipe's constant rate. A pure function of the step, so a stopped and resumed run takes the same steps as a straight
/// one; raising a resumed run's target stretches the decay to the new end.
/// </summary>
public sealed record LearningRateSchedule
{
    /// <summary>Updates over which the rate rises linearly from peak / warm-up to the peak (0: none).</summary>
    public long WarmupSteps { get; init; }

    /// <summary>The shape of the decay (none by default).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<LearningRateDecay>))]
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.None;

    /// <summary>The step the decay starts from (0: from the start; a late start gives a constant phase, then a cool-down).</summary>
    public long DecayStartStep { get; init; }

    /// <summary>The fraction of the peak rate the decay ends at, in [0, 1).</summary>
    public double FinalFraction { get; init; }

    /// <summary>
    /// The factor of the peak rate for the update taken at step <paramref name="step"/> (0-based: the first update is
    /// step 0) of a run of <paramref name="totalSteps"/> updates.
    /// </summary>
    public double FactorAt(long step, long totalSteps)
    {
        double factor = WarmupSteps > 0 && step < WarmupSteps ? (step + 1) / (double)WarmupSteps : 1;
        if (Decay == LearningRateDecay.None || step < DecayStartStep || totalSteps <= DecayStartStep) return factor;
        double progress = Math.Min(1, (step - DecayStartStep) / (double)(totalSteps - DecayStartStep));   // [0, 1)
        double shape = Decay == LearningRateDecay.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * progress)) : 1 - progress;
        return factor * (FinalFraction + (1 - FinalFraction) * shape);
    }

    /// <summary>Checks the settings; returns this.</summary>
    public LearningRateSchedule Validate()
    {
        if (WarmupSteps < 0) throw new ArgumentException($"the warm-up (--lr-warmup) must be ≥ 0 steps, got {WarmupSteps}", nameof(WarmupSteps));
        if (DecayStartStep < 0) throw new ArgumentException($"the decay start (--lr-decay-start) must be ≥ 0, got {DecayStartStep}", nameof(DecayStartStep));
        if (!Enum.IsDefined(Decay)) throw new ArgumentException($"the decay (--lr-decay) must be none, cosine or linear, got {Decay}", nameof(Decay));
        // Written as "not inside" so that NaN (for which every comparison is false) is refused too.
        if (!(FinalFraction >= 0 && FinalFraction < 1))
            throw new ArgumentException($"the final fraction (--lr-final) must be in [0, 1), got {FinalFraction.ToString(CultureInfo.InvariantCulture)}", nameof(FinalFraction));
        return this;
    }

    /// <inheritdoc />
    public override string ToString() => Decay == LearningRateDecay.None
        ? string.Create(CultureInfo.InvariantCulture, $"warm-up {WarmupSteps}, no decay")
        : string.Create(CultureInfo.InvariantCulture, $"warm-up {WarmupSteps}, {Decay.ToString().ToLowerInvariant()} decay from step {DecayStartStep} to {FinalFraction}×");
}
