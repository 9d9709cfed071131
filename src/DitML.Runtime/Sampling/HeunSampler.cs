using DitML.Diffusion;

namespace DitML.Sampling;

/// <summary>
/// EDM's deterministic Heun sampler (Karras et al. 2022, Alg. 1). Each step is a Heun (2nd order) step except the last,
/// an Euler step to σ = 0; σ follows Karras' spacing. Network evaluations: 2·steps − 1. Two kinds of model:
/// <list type="bullet">
/// <item>an ε-model trained on a DDPM schedule: in σ-space x = x_vp·√(1 + σ²), D(x; σ) = x − σ·ε(x/√(1 + σ²), t(σ))
/// where t(σ) is the fractional training step with ᾱ = 1/(1 + σ²); σ from the schedule's largest to smallest, ρ = 7;</item>
/// <item>an EDM model (EDM settings given): the network is the preconditioned denoiser D(x; σ) itself, called with
/// σ in place of a step; σ from <see cref="EdmSettings.SigmaMax"/> to <see cref="EdmSettings.SigmaMin"/> with its ρ. This
/// is EDM's deterministic sampler exactly (its "round_sigma" is the identity for EDM preconditioning).</item>
/// </list>
/// Guidance mixes the conditional and null-class outputs linearly, which for an EDM model is guidance on D.
/// </summary>
internal sealed class HeunSampler : DiffusionSampler
{
    private const double Rho = 7;
    private readonly double[] sigmas;
    private readonly bool edm;

    public HeunSampler(SamplerOptions options, NoiseSchedule schedule, EdmSettings? edm = null) : base(options, schedule)
    {
        this.edm = edm != null;
        sigmas = edm != null ? edm.Validate().KarrasSigmas(options.Steps)
            : EdmSettings.KarrasSigmas(Sigma(schedule.AlphasCumprod[0]), Sigma(schedule.AlphasCumprod[^1]), options.Steps, Rho);
    }

    /// <summary>The noise levels visited, σ_0 = σ_max … σ_N = 0.</summary>
    public IReadOnlyList<double> Sigmas => sigmas;

    public override int Steps => sigmas.Length - 1;

    public override int NetworkEvaluations => 2 * Steps - 1;

    private protected override void SampleBatch(GuidedDenoiser model, Span<float> x, ReadOnlySpan<long> y, RowNoise[] noise, SamplerBuffers work, Action stepDone)
    {
        var d = work.Start.AsSpan(0, x.Length);
        var slope = work.Previous.AsSpan(0, x.Length);
        var trial = work.Scratch.AsSpan(0, x.Length);
        for (int k = 0; k < x.Length; k++) x[k] *= (float)sigmas[0];   // start at σ_max
        for (int i = 0; i < Steps; i++)
        {
            double s = sigmas[i], next = sigmas[i + 1];
            Denoise(model, x, s, y, work, d);
            for (int k = 0; k < x.Length; k++)
            {
                slope[k] = (float)((x[k] - d[k]) / s);
                trial[k] = (float)(x[k] + (next - s) * slope[k]);
            }
            if (next > 0)
            {
                Denoise(model, trial, next, y, work, d);
                for (int k = 0; k < x.Length; k++)
                    x[k] = (float)(x[k] + (next - s) * 0.5 * (slope[k] + (trial[k] - d[k]) / next));
            }
            else
            {
                trial.CopyTo(x);
            }
            stepDone();
        }
    }

    private static double Sigma(double alphaCumprod) => Math.Sqrt((1 - alphaCumprod) / alphaCumprod);

    private void Denoise(GuidedDenoiser model, ReadOnlySpan<float> x, double sigma, ReadOnlySpan<long> y, SamplerBuffers work, Span<float> d)
    {
        if (edm)
        {
            model.Evaluate(x, sigma, y, d, []);                            // the network is D(x; σ)
            if (Options.ClipDenoised) foreach (ref var value in d) value = Math.Clamp(value, -1f, 1f);
            return;
        }
        var eps = work.Eps.AsSpan(0, x.Length);
        var v = work.Variance.AsSpan(0, work.Variance.Length == 0 ? 0 : x.Length);
        var scaled = d;                                                 // d holds the scaled input until the model has copied it
        float c = (float)(1 / Math.Sqrt(1 + sigma * sigma));
        for (int k = 0; k < x.Length; k++) scaled[k] = x[k] * c;
        model.Evaluate(scaled, Schedule.TimestepOf(1 / (1 + sigma * sigma)), y, eps, v);
        for (int k = 0; k < x.Length; k++)
        {
            double value = x[k] - sigma * eps[k];
            d[k] = (float)(Options.ClipDenoised ? Math.Clamp(value, -1, 1) : value);
        }
    }
}
