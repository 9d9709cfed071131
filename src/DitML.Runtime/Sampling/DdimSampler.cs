using DitML.Diffusion;

namespace DitML.Sampling;

/// <summary>
/// DDIM with η over respaced steps: x̂₀ = (x_t − √(1 − ᾱ_t)·ε)/√ᾱ_t,
/// σ = η·√((1 − ᾱ_s)/(1 − ᾱ_t))·√(1 − ᾱ_t/ᾱ_s), x_s = √ᾱ_s·x̂₀ + √(1 − ᾱ_s − σ²)·ε + σ·z; ᾱ = 1 after the last step.
/// </summary>
internal sealed class DdimSampler : RespacedSampler
{
    public DdimSampler(SamplerOptions options, NoiseSchedule schedule) : base(options, schedule)
    {
    }

    private protected override void SampleBatch(GuidedDenoiser model, Span<float> x, ReadOnlySpan<long> y, RowNoise[] noise, SamplerBuffers work, Action stepDone)
    {
        var eps = work.Eps.AsSpan(0, x.Length);
        var v = work.Variance.AsSpan(0, work.Variance.Length == 0 ? 0 : x.Length);
        var x0 = work.Start.AsSpan(0, x.Length);
        for (int i = Kept.Length - 1; i >= 0; i--)
        {
            model.Evaluate(x, Kept[i], y, eps, v);
            double at = Respaced.AlphasCumprod[i], prev = Respaced.AlphasCumprodPrev[i];
            PredictStart(x, eps, at, x0);
            // ε consistent with the (possibly clipped) x̂₀, as the official DDIM step re-derives it.
            double ra = Math.Sqrt(1 / at), rm = Math.Sqrt(1 / at - 1);
            double sigma = Options.Eta * Math.Sqrt((1 - prev) / (1 - at)) * Math.Sqrt(1 - at / prev);
            double dir = Math.Sqrt(Math.Max(1 - prev - sigma * sigma, 0));
            for (int k = 0; k < x.Length; k++)
            {
                double e = (ra * x[k] - x0[k]) / rm;
                x[k] = (float)(Math.Sqrt(prev) * x0[k] + dir * e);
            }
            if (sigma > 0) AddNoise(x, [sigma], noise);
            stepDone();
        }
    }
}
