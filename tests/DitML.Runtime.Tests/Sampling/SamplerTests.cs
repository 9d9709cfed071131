using DitML.Sampling;

namespace DitML.Runtime.Tests.Sampling;

[TestClass]
public sealed class SamplerTests
{
    private static readonly double[] Means = [0.8, -0.6, 0.0];
    private const double Std = 0.5;

    // Step counts where each sampler's discretization error on this data is small (checked against an independent
    // scalar simulation of the same updates): DDIM(η = 0) loses 2.3% of the variance at 250 steps and 11% at 50; DPM++
    // is within 3% at 20 evaluations; Heun within 2.5% at 40 steps (79 evaluations), 10% at 20.
    public static IEnumerable<object[]> Samplers =>
    [
        [SamplerKind.Ddpm, 250, 0.0],
        [SamplerKind.Ddim, 250, 0.0],
        [SamplerKind.DpmSolverPlusPlus, 20, 0.0],
        [SamplerKind.Heun, 40, 0.0],
    ];

    [TestMethod]
    [DynamicData(nameof(Samplers))]
    public void IdealPredictorReproducesTheDataDistribution(SamplerKind kind, int steps, double eta)
    {
        // 2000 rows × 16 elements per class: the sampling error of the mean is 0.5/√32000 ≈ 0.003 and of the variance
        // ≈ 0.8%; the tolerances (mean ±0.03, variance ±6%) add room for the samplers' discretization error.
        // DDPM gets the exact reverse variance through the learned range (the ideal v for each respaced step).
        var kept = DitML.Diffusion.TimestepSpacing.Parse(1000, steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var oracle = new GaussianOracle(Means, Std, keptSteps: kind == SamplerKind.Ddpm ? kept : null);
        var sampler = DiffusionSampler.Create(new SamplerOptions { Sampler = kind, Steps = steps, Eta = eta, GuidanceScale = 1, BatchSize = 500 });
        int rows = 2000;
        for (int label = 0; label < 2; label++)
        {
            var labels = Enumerable.Repeat((long)label, rows).ToArray();
            var seeds = Enumerable.Range(0, rows).Select(i => (long)(1000 * label + i)).ToArray();
            var x = sampler.Sample(oracle, labels, seeds);
            double mean = x.Average(v => (double)v), variance = x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1);
            Assert.AreEqual(Means[label], mean, 0.03, $"{kind}/{steps}: mean of class {label}");
            Assert.AreEqual(Std * Std, variance, 0.06 * Std * Std, $"{kind}/{steps}: variance of class {label}: {variance:F4}, mean {mean:F4}");
        }
    }

    [TestMethod]
    public void DdimWithEtaOneIsDdpmWithThePosteriorVariance()
    {
        // σ(η = 1) = √((1 − ᾱ_s)/(1 − ᾱ_t))·√(1 − ᾱ_t/ᾱ_s) = √β̃ and the means coincide: the same samples from the same noise.
        var oracle = new GaussianOracle(Means, Std);                    // v = −1: DDPM uses β̃
        long[] labels = [0, 1, 2, 0], seeds = [1, 2, 3, 4];
        var ddpm = DiffusionSampler.Create(new SamplerOptions { Sampler = SamplerKind.Ddpm, Steps = 25, GuidanceScale = 1 }).Sample(oracle, labels, seeds);
        var ddim = DiffusionSampler.Create(new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = 25, Eta = 1, GuidanceScale = 1 }).Sample(oracle, labels, seeds);
        for (int k = 0; k < ddpm.Length; k++) Assert.AreEqual(ddpm[k], ddim[k], 1e-4, $"element {k}");
    }

    [TestMethod]
    [DataRow(SamplerKind.Ddpm)]
    [DataRow(SamplerKind.Ddim)]
    [DataRow(SamplerKind.DpmSolverPlusPlus)]
    [DataRow(SamplerKind.Heun)]
    public void ARowIsTheSameAloneOrInAnyBatch(SamplerKind kind)
    {
        var options = new SamplerOptions { Sampler = kind, Steps = 10, Eta = 0.5, GuidanceScale = 3, BatchSize = 3 };
        var oracle = new GaussianOracle(Means, Std);
        long[] labels = [0, 1, 2, 1, 0], seeds = [11, 12, 13, 14, 15];
        var together = DiffusionSampler.Create(options).Sample(oracle, labels, seeds);
        var alone = DiffusionSampler.Create(options with { BatchSize = 1 }).Sample(oracle, labels[3..4], seeds[3..4]);
        CollectionAssert.AreEqual(together[(3 * 16)..(4 * 16)], alone);
        var again = DiffusionSampler.Create(options with { BatchSize = 5 }).Sample(oracle, labels, seeds);
        CollectionAssert.AreEqual(together, again, "same seeds, same samples");
        var other = DiffusionSampler.Create(options).Sample(oracle, labels, [11, 12, 13, 99, 15]);
        CollectionAssert.AreNotEqual(together[(3 * 16)..(4 * 16)], other[(3 * 16)..(4 * 16)], "another seed, another sample");
        CollectionAssert.AreEqual(together[..(3 * 16)], other[..(3 * 16)], "other rows unaffected");
    }

    [TestMethod]
    public void GuidanceScaleOneEvaluatesOnlyTheConditionalHalf()
    {
        var oracle = new GaussianOracle(Means, Std);
        var sampler = DiffusionSampler.Create(new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = 5, GuidanceScale = 1, BatchSize = 4 });
        sampler.Sample(oracle, [0, 1, 0], [1, 2, 3]);
        CollectionAssert.AreEqual(Enumerable.Repeat(3, 5).ToList(), oracle.BatchSizes);

        var guided = new GaussianOracle(Means, Std);
        DiffusionSampler.Create(new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = 5, GuidanceScale = 4, BatchSize = 4 }).Sample(guided, [0, 1, 0], [1, 2, 3]);
        CollectionAssert.AreEqual(Enumerable.Repeat(6, 5).ToList(), guided.BatchSizes, "one batched call of [cond; uncond] per step");
    }

    [TestMethod]
    public void GuidanceCombinesConditionalAndUnconditional()
    {
        var oracle = new GaussianOracle(Means, Std, learnSigma: true);
        var x = new float[16];
        new RowNoise(5).Fill(x);
        const double t = 600;
        var (cond, _) = Evaluate(oracle, new SamplerOptions { GuidanceScale = 1 }, x, t);
        var (guided, v) = Evaluate(oracle, new SamplerOptions { GuidanceScale = 3 }, x, t);
        var (firstThree, _) = Evaluate(oracle, new SamplerOptions { GuidanceScale = 3, GuideFirstThreeChannels = true }, x, t);
        var (uncond, _) = Evaluate(new GaussianOracle([0.0, 0.0, 0.0], Std), new SamplerOptions { GuidanceScale = 1 }, x, t);
        for (int k = 0; k < 16; k++)
        {
            Assert.AreEqual(uncond[k] + 3 * (cond[k] - uncond[k]), guided[k], 1e-5, $"element {k}");
            Assert.AreEqual(k < 12 ? guided[k] : cond[k], firstThree[k], 1e-6, $"official quirk: channel {k / 4}");
            Assert.AreEqual(-1f, v[k], "variance output is the conditional row's");
        }
        Assert.AreNotEqual(cond[0], guided[0], 1e-3);
    }

    /// <summary>One guided evaluation of a single 4×2×2 row at step t (1000 training steps).</summary>
    internal static (float[] Eps, float[] V) Evaluate(IDenoiser model, SamplerOptions options, float[] x, double t)
    {
        var g = new GuidedDenoiser(model, options, 1, 1000);
        var eps = new float[16];
        var v = new float[16];
        g.Evaluate(x, t, [0], eps, v);
        return (eps, v);
    }

    [TestMethod]
    public void NetworkEvaluationCounts()
    {
        Assert.AreEqual(250, DiffusionSampler.Create(new SamplerOptions { Sampler = SamplerKind.Ddpm, Steps = 250 }).NetworkEvaluations);
        Assert.AreEqual(20, DiffusionSampler.Create(new SamplerOptions { Sampler = SamplerKind.DpmSolverPlusPlus, Steps = 20 }).NetworkEvaluations);
        var oracle = new GaussianOracle(Means, Std);
        var heun = DiffusionSampler.Create(new SamplerOptions { Sampler = SamplerKind.Heun, Steps = 10, GuidanceScale = 1 });
        heun.Sample(oracle, [0], [1]);
        Assert.AreEqual(19, heun.NetworkEvaluations);
        Assert.HasCount(19, oracle.BatchSizes);
    }

    [TestMethod]
    [DataRow(0, 0.0, 1.0, "Steps")]
    [DataRow(1001, 0.0, 1.0, "Steps")]
    [DataRow(10, -0.1, 1.0, "Eta")]
    [DataRow(10, 0.0, -2.0, "GuidanceScale")]
    public void BadSettingsAreRefusedByName(int steps, double eta, double guidance, string setting)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            DiffusionSampler.Create(new SamplerOptions { Steps = steps, Eta = eta, GuidanceScale = guidance }));
        StringAssert.StartsWith(e.Message, setting);
    }

    [TestMethod]
    public void UnknownSamplerNameListsTheKnownOnes()
    {
        Assert.AreEqual(SamplerKind.DpmSolverPlusPlus, SamplerOptions.ParseSampler("DPM++"));
        var e = Assert.ThrowsExactly<ArgumentException>(() => SamplerOptions.ParseSampler("euler"));
        StringAssert.Contains(e.Message, "ddpm, ddim, dpm++, heun");
    }

    [TestMethod]
    public void LabelOutOfRangeIsRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            DiffusionSampler.Create(new SamplerOptions()).Sample(new GaussianOracle(Means, Std), [3], [1]));
        StringAssert.Contains(e.Message, "class 3");
    }
}
