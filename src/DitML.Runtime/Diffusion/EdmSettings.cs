namespace DitML.Diffusion;

/// <summary>
/// EDM's settings (Karras et al. 2022, "Elucidating the design space of diffusion-based generative models", Table 1,
/// the "EDM" column), which image-space DiffiT "strictly follows": data standard deviation σ_data, the log-normal training
/// distribution ln σ ~ N(P_mean, P_std²) and the sampler's σ range and spacing exponent ρ. Defaults are the paper's.
/// </summary>
public sealed record EdmSettings
{
    /// <summary>Standard deviation of the data (images in [−1, 1]): 0.5.</summary>
    public double SigmaData { get; init; } = 0.5;

    /// <summary>Mean of ln σ in training: −1.2.</summary>
    public double PMean { get; init; } = -1.2;

    /// <summary>Standard deviation of ln σ in training: 1.2.</summary>
    public double PStd { get; init; } = 1.2;

    /// <summary>Smallest σ the sampler visits before the final step to 0: 0.002.</summary>
    public double SigmaMin { get; init; } = 0.002;

    /// <summary>Largest σ, where sampling starts from N(0, σ_max² I): 80.</summary>
    public double SigmaMax { get; init; } = 80;

    /// <summary>Exponent of the Karras σ spacing: 7.</summary>
    public double Rho { get; init; } = 7;

    /// <summary>The paper's sampler steps on CIFAR-10 (18, 35 network evaluations).</summary>
    public const int Cifar10Steps = 18;

    /// <summary>The paper's sampler steps on FFHQ-64 (40, 79 network evaluations).</summary>
    public const int Ffhq64Steps = 40;

    /// <summary>Checks every value; returns this.</summary>
    /// <exception cref="ArgumentException">Naming the setting and its value.</exception>
    public EdmSettings Validate()
    {
        if (!(SigmaData > 0) || !double.IsFinite(SigmaData)) throw new ArgumentException($"EDM SigmaData must be positive, got {SigmaData}", nameof(SigmaData));
        if (!(PStd > 0) || !double.IsFinite(PStd) || !double.IsFinite(PMean)) throw new ArgumentException($"EDM PMean/PStd must be finite with PStd > 0, got {PMean}/{PStd}", nameof(PStd));
        if (!(SigmaMin > 0) || !(SigmaMax > SigmaMin) || !double.IsFinite(SigmaMax)) throw new ArgumentException($"EDM needs 0 < SigmaMin < SigmaMax, got {SigmaMin} and {SigmaMax}", nameof(SigmaMin));
        if (!(Rho > 0) || !double.IsFinite(Rho)) throw new ArgumentException($"EDM Rho must be positive, got {Rho}", nameof(Rho));
        return this;
    }

    /// <summary>
    /// The sampler's noise levels (EDM Eq. 5): σ_i = (σ_max^(1/ρ) + i/(N − 1)·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ for
    /// i &lt; N, then σ_N = 0; N + 1 values.
    /// </summary>
    public double[] KarrasSigmas(int steps) => KarrasSigmas(SigmaMin, SigmaMax, steps, Rho);

    /// <summary>The Karras spacing between any <paramref name="min"/> and <paramref name="max"/> (also used by the ε-model Heun sampler).</summary>
    public static double[] KarrasSigmas(double min, double max, int steps, double rho)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "need at least one step");
        var sigmas = new double[steps + 1];
        double a = Math.Pow(max, 1 / rho), b = Math.Pow(min, 1 / rho);
        for (int i = 0; i < steps; i++)
        {
            double f = steps == 1 ? 0 : i / (double)(steps - 1);
            sigmas[i] = Math.Pow(a + f * (b - a), rho);
        }
        sigmas[steps] = 0;
        return sigmas;
    }
}
