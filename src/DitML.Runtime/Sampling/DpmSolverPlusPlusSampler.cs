using DitML.Diffusion;

namespace DitML.Sampling;

/// <summary>
/// DPM-Solver++(2M) in the data prediction D = (x − σ_t·ε)/α_t with α = √ᾱ, σ = √(1 − ᾱ), λ = ln α − ln σ. Its N
/// evaluations are uniform in λ (log-SNR) from the schedule's noisiest to its cleanest step — fractional training steps
/// in between — then one first-order step to the clean end (σ = 0, where x = D). On Gaussian data a λ-uniform grid
/// reaches the data variance within 3% in 20 steps where a grid uniform in t is 50% off.
/// Second order uses r = h_{i−1}/h_i: D' = (1 + 1/(2r))·D_i − (1/(2r))·D_{i−1}. Deterministic.
/// </summary>
internal sealed class DpmSolverPlusPlusSampler : DiffusionSampler
{
    private readonly double[] alphaCumprods;
    private readonly double[] timesteps;

    public DpmSolverPlusPlusSampler(SamplerOptions options, NoiseSchedule schedule) : base(options, schedule)
    {
        int n = options.Steps;
        double first = Lambda(schedule.AlphasCumprod[^1]), last = Lambda(schedule.AlphasCumprod[0]);
        alphaCumprods = new double[n];
        timesteps = new double[n];
        for (int i = 0; i < n; i++)
        {
            double lambda = n == 1 ? last : first + (last - first) * i / (n - 1);
            alphaCumprods[i] = 1 / (1 + Math.Exp(-2 * lambda));       // λ = ½·ln(ᾱ/(1 − ᾱ))
            timesteps[i] = i == 0 ? schedule.Steps - 1 : i == n - 1 ? 0 : schedule.TimestepOf(alphaCumprods[i]);
        }
        alphaCumprods[0] = schedule.AlphasCumprod[^1];
        alphaCumprods[n - 1] = schedule.AlphasCumprod[0];
    }

    public override int Steps => timesteps.Length;

    public override int NetworkEvaluations => timesteps.Length;

    private static double Lambda(double alphaCumprod) => 0.5 * Math.Log(alphaCumprod / (1 - alphaCumprod));

    private protected override void SampleBatch(GuidedDenoiser model, Span<float> x, ReadOnlySpan<long> y, RowNoise[] noise, SamplerBuffers work, Action stepDone)
    {
        var eps = work.Eps.AsSpan(0, x.Length);
        var v = work.Variance.AsSpan(0, work.Variance.Length == 0 ? 0 : x.Length);
        var d = work.Start.AsSpan(0, x.Length);
        var previousD = work.Previous.AsSpan(0, x.Length);
        double previousH = 0;
        int steps = timesteps.Length;
        for (int j = 0; j < steps; j++)
        {
            double ac = alphaCumprods[j], alpha = Math.Sqrt(ac), sigma = Math.Sqrt(1 - ac);
            model.Evaluate(x, timesteps[j], y, eps, v);
            PredictStart(x, eps, ac, d);                                // D = (x − σ·ε)/α

            bool last = j == steps - 1;
            if (last)
            {
                d.CopyTo(x);                                            // σ_next = 0: x = D
            }
            else
            {
                double acNext = alphaCumprods[j + 1];
                double alphaNext = Math.Sqrt(acNext), sigmaNext = Math.Sqrt(1 - acNext);
                double h = Math.Log(alphaNext / sigmaNext) - Math.Log(alpha / sigma);
                double a = sigmaNext / sigma, b = -alphaNext * double.ExpM1(-h);
                bool secondOrder = j > 0 && !(steps < 10 && j == steps - 2);
                double r = previousH / h, c1 = secondOrder ? 1 + 1 / (2 * r) : 1, c0 = secondOrder ? -1 / (2 * r) : 0;
                for (int k = 0; k < x.Length; k++)
                    x[k] = (float)(a * x[k] + b * (c1 * d[k] + c0 * previousD[k]));
                previousH = h;
            }
            d.CopyTo(previousD);
            stepDone();
        }
    }
}
