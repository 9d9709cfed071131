using DitML.Diffusion;

namespace DitML.Sampling;

/// <summary>
/// Ancestral DDPM over respaced steps (the official DiT sampler with "250"): the mean from the predicted x₀ and the
/// posterior coefficients, the variance from the learned range log σ² = frac·log β + (1 − frac)·log β̃ (frac = (v + 1)/2),
/// or the fixed-large variance when the model does not learn it; no noise at the last step.
/// </summary>
internal sealed class DdpmSampler : RespacedSampler
{
    public DdpmSampler(SamplerOptions options, NoiseSchedule schedule) : base(options, schedule)
    {
    }

    private protected override void SampleBatch(GuidedDenoiser model, Span<float> x, ReadOnlySpan<long> y, RowNoise[] noise, SamplerBuffers work, Action stepDone)
    {
        var eps = work.Eps.AsSpan(0, x.Length);
        var v = work.Variance.AsSpan(0, work.Variance.Length == 0 ? 0 : x.Length);
        var x0 = work.Start.AsSpan(0, x.Length);
        var sigma = new double[x.Length];
        for (int i = Kept.Length - 1; i >= 0; i--)
        {
            model.Evaluate(x, Kept[i], y, eps, v);
            PredictStart(x, eps, Respaced.AlphasCumprod[i], x0);
            double c1 = Respaced.PosteriorMeanCoef1[i], c2 = Respaced.PosteriorMeanCoef2[i];
            double minLog = Respaced.PosteriorLogVarianceClipped[i], maxLog = Math.Log(Respaced.Betas[i]);
            // Fixed-large variance (models without learned σ): β_t, with β̃_1 in place of β_0.
            double fixedLog = i == 0 && Respaced.Steps > 1 ? Math.Log(Respaced.PosteriorVariance[1]) : maxLog;
            for (int k = 0; k < x.Length; k++)
            {
                x[k] = (float)(c1 * x0[k] + c2 * x[k]);
                if (i > 0)
                {
                    double logVar = v.IsEmpty ? fixedLog : (v[k] + 1) / 2 * maxLog + (1 - (v[k] + 1) / 2) * minLog;
                    sigma[k] = Math.Exp(0.5 * logVar);
                }
            }
            if (i > 0) AddNoise(x, sigma, noise);
            stepDone();
        }
    }
}
