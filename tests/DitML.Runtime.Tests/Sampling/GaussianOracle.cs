using DitML.Diffusion;
using DitML.Sampling;

namespace DitML.Runtime.Tests.Sampling;

/// <summary>
/// The ideal ε-predictor for data x₀ ~ N(μ_y, s²) independently per element: x_t ~ N(√ᾱ μ, ᾱs² + 1 − ᾱ), so
/// E[ε | x_t] = √(1 − ᾱ)(x_t − √ᾱ μ)/(ᾱs² + 1 − ᾱ). ᾱ at fractional t interpolates log ᾱ (as the schedule's inverse).
/// The null class predicts with μ = 0. Learned-variance output: v = −1 (the posterior variance β̃), or — given the
/// sampler's kept steps — the v whose learned range gives the exact reverse variance β̃ + c₁²·Var[x₀ | x_t] of that step.
/// </summary>
internal sealed class GaussianOracle(double[] classMeans, double std, bool learnSigma = true, int channels = 4, int size = 2,
    int[]? keptSteps = null) : IDenoiser
{
    private readonly NoiseSchedule schedule = NoiseSchedule.Linear();
    private readonly NoiseSchedule? respaced = keptSteps == null ? null : NoiseSchedule.Linear().Respace(keptSteps);

    public List<int> BatchSizes { get; } = [];

    public int Channels => channels;

    public int Height => size;

    public int Width => size;

    public bool LearnSigma => learnSigma;

    public int NumClasses => classMeans.Length;

    public double Mean(long label) => label == NumClasses ? 0 : classMeans[label];

    public void Predict(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> y, Span<float> output)
    {
        BatchSizes.Add(y.Length);
        int plane = Channels * Height * Width, outPlane = (LearnSigma ? 2 : 1) * plane;
        for (int i = 0; i < y.Length; i++)
        {
            double ac = AlphaCumprod(t[i]), mu = Mean(y[i]), denominator = ac * std * std + 1 - ac;
            for (int k = 0; k < plane; k++)
            {
                output[i * outPlane + k] = (float)(Math.Sqrt(1 - ac) * (x[i * plane + k] - Math.Sqrt(ac) * mu) / denominator);
                if (LearnSigma) output[i * outPlane + plane + k] = (float)IdealV(t[i], ac);
            }
        }
    }

    private double IdealV(double t, double ac)
    {
        if (respaced == null) return -1;
        int i = Array.IndexOf(keptSteps!, (int)t);
        if (i <= 0) return -1;
        double x0Variance = std * std * (1 - ac) / (ac * std * std + 1 - ac);
        double target = respaced.PosteriorVariance[i] + respaced.PosteriorMeanCoef1[i] * respaced.PosteriorMeanCoef1[i] * x0Variance;
        double min = respaced.PosteriorLogVarianceClipped[i], max = Math.Log(respaced.Betas[i]);
        return 2 * (Math.Log(target) - min) / (max - min) - 1;
    }

    private double AlphaCumprod(double t)
    {
        int lo = (int)Math.Floor(t), hi = Math.Min(lo + 1, schedule.Steps - 1);
        double f = t - lo;
        return Math.Exp((1 - f) * Math.Log(schedule.AlphasCumprod[lo]) + f * Math.Log(schedule.AlphasCumprod[hi]));
    }
}
