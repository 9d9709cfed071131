using DitML.Diffusion;

namespace DitML.Sampling;

/// <summary>
/// EDM's deterministic Heun sampler (Karras et al. 2022, Alg. 1) driving the ε-model: in σ-space x = x_vp·√(1 + σ²),
/// D(x; σ) = x − σ·ε(x/√(1 + σ²), t(σ)) where t(σ) is the fractional training step with ᾱ = 1/(1 + σ²).
/// σ follows Karras' spacing (ρ = 7) from the schedule's largest to smallest σ, then 0; each step is a Heun (2nd order)
/// step except the last, an Euler step to σ = 0. Network evaluations: 2·steps − 1.
/// </summary>
internal sealed class HeunSampler : DiffusionSampler
{
    private const double Rho = 7;
    private readonly double[] sigmas;

    public HeunSampler(SamplerOptions options, NoiseSchedule schedule) : base(options, schedule)
    {
        double max = Sigma(schedule.AlphasCumprod[^1]), min = Sigma(schedule.AlphasCumprod[0]);
        int n = options.Steps;
        sigmas = new double[n + 1];
        for (int i = 0; i < n; i++)
        {
            double f = n == 1 ? 0 : i / (double)(n - 1);
            sigmas[i] = Math.Pow(Math.Pow(max, 1 / Rho) + f * (Math.Pow(min, 1 / Rho) - Math.Pow(max, 1 / Rho)), Rho);
        }
        sigmas[n] = 0;
    }

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
