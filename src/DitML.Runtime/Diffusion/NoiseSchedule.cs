namespace DitML.Diffusion;

/// <summary>
/// A discrete Gaussian diffusion schedule in double precision (improved DDPM, as DiT trains): betas, ᾱ, and the
/// posterior q(x_{t−1} | x_t, x_0) coefficients. Also the respaced schedules that fast sampling uses.
/// </summary>
public sealed class NoiseSchedule
{
    /// <summary>Creates the schedule of given betas (each in (0, 1)).</summary>
    public NoiseSchedule(IReadOnlyList<double> betas)
    {
        ArgumentNullException.ThrowIfNull(betas);
        if (betas.Count == 0) throw new ArgumentException("a schedule needs at least one step", nameof(betas));
        int n = betas.Count;
        Betas = betas.ToArray();
        foreach (var b in Betas)
            if (!(b > 0 && b <= 1)) throw new ArgumentException($"betas must be in (0, 1], got {b}", nameof(betas));
        AlphasCumprod = new double[n];
        AlphasCumprodPrev = new double[n];
        PosteriorVariance = new double[n];
        PosteriorLogVarianceClipped = new double[n];
        PosteriorMeanCoef1 = new double[n];
        PosteriorMeanCoef2 = new double[n];
        double cumulative = 1;
        for (int t = 0; t < n; t++)
        {
            AlphasCumprodPrev[t] = cumulative;
            cumulative *= 1 - Betas[t];
            AlphasCumprod[t] = cumulative;
        }
        for (int t = 0; t < n; t++)
        {
            double ac = AlphasCumprod[t], prev = AlphasCumprodPrev[t];
            PosteriorVariance[t] = Betas[t] * (1 - prev) / (1 - ac);
            PosteriorMeanCoef1[t] = Betas[t] * Math.Sqrt(prev) / (1 - ac);
            PosteriorMeanCoef2[t] = (1 - prev) * Math.Sqrt(1 - Betas[t]) / (1 - ac);
        }
        // The variance at t = 0 is 0; its log is "clipped" by taking the value at t = 1 (as the official code does).
        for (int t = 0; t < n; t++)
            PosteriorLogVarianceClipped[t] = Math.Log(n > 1 && t == 0 ? PosteriorVariance[1] : PosteriorVariance[t]);
    }

    /// <summary>The linear schedule of DDPM: betas from 1e-4 to 0.02 over 1000 steps, both scaled by 1000/T for other T.</summary>
    public static NoiseSchedule Linear(int steps = 1000)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "diffusion steps must be positive");
        double scale = 1000.0 / steps, start = scale * 1e-4, end = scale * 0.02;
        var betas = new double[steps];
        for (int i = 0; i < steps; i++) betas[i] = steps == 1 ? start : start + (end - start) * i / (steps - 1);
        return new NoiseSchedule(betas);
    }

    /// <summary>Number of steps T.</summary>
    public int Steps => Betas.Length;

    /// <summary>β_t.</summary>
    public double[] Betas { get; }

    /// <summary>ᾱ_t = Π_{s ≤ t} (1 − β_s).</summary>
    public double[] AlphasCumprod { get; }

    /// <summary>ᾱ_{t−1}, with ᾱ_{−1} = 1.</summary>
    public double[] AlphasCumprodPrev { get; }

    /// <summary>β̃_t = β_t(1 − ᾱ_{t−1})/(1 − ᾱ_t).</summary>
    public double[] PosteriorVariance { get; }

    /// <summary>log β̃_t with entry 0 replaced by entry 1.</summary>
    public double[] PosteriorLogVarianceClipped { get; }

    /// <summary>Coefficient of x_0 in the posterior mean: β_t√ᾱ_{t−1}/(1 − ᾱ_t).</summary>
    public double[] PosteriorMeanCoef1 { get; }

    /// <summary>Coefficient of x_t in the posterior mean: (1 − ᾱ_{t−1})√α_t/(1 − ᾱ_t).</summary>
    public double[] PosteriorMeanCoef2 { get; }

    /// <summary>
    /// The schedule over a subset of steps (sorted ascending): betas rebuilt as 1 − ᾱ_i/ᾱ_prev over the kept steps, so
    /// that the kept steps' ᾱ are unchanged. The network still receives the original step indices.
    /// </summary>
    public NoiseSchedule Respace(IReadOnlyList<int> keptSteps)
    {
        ArgumentNullException.ThrowIfNull(keptSteps);
        var betas = new double[keptSteps.Count];
        double last = 1;
        for (int i = 0; i < keptSteps.Count; i++)
        {
            int t = keptSteps[i];
            if (t < 0 || t >= Steps || (i > 0 && t <= keptSteps[i - 1]))
                throw new ArgumentException($"kept steps must be increasing indices in 0..{Steps - 1}", nameof(keptSteps));
            betas[i] = 1 - AlphasCumprod[t] / last;
            last = AlphasCumprod[t];
        }
        return new NoiseSchedule(betas);
    }

    /// <summary>
    /// The fractional step t at which ᾱ equals <paramref name="alphaCumprod"/>, interpolating log ᾱ linearly between the
    /// integer steps (ᾱ decreases with t). Samplers that work in continuous noise levels use it to ask the network.
    /// </summary>
    public double TimestepOf(double alphaCumprod)
    {
        double target = Math.Log(alphaCumprod);
        if (target >= Math.Log(AlphasCumprod[0])) return 0;
        if (target <= Math.Log(AlphasCumprod[^1])) return Steps - 1;
        int lo = 0, hi = Steps - 1;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) / 2;
            if (Math.Log(AlphasCumprod[mid]) > target) lo = mid;
            else hi = mid;
        }
        double a = Math.Log(AlphasCumprod[lo]), b = Math.Log(AlphasCumprod[hi]);
        return lo + (a - target) / (a - b);
    }
}
