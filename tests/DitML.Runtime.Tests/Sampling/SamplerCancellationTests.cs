using DitML.Generation;
using DitML.Sampling;

namespace DitML.Runtime.Tests.Sampling;

/// <summary>Progress and cancellation of sampling: a cancelled run stops between steps, having evaluated no further.</summary>
[TestClass]
public sealed class SamplerCancellationTests
{
    /// <summary>Reports on the sampling thread, at once (Progress&lt;T&gt; would post them).</summary>
    private sealed class Steps(Action<GenerationProgress> onReport) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => onReport(value);
    }

    [TestMethod]
    [DataRow(SamplerKind.Ddim)]
    [DataRow(SamplerKind.Ddpm)]
    [DataRow(SamplerKind.DpmSolverPlusPlus)]
    [DataRow(SamplerKind.Heun)]
    public void CancellingDuringAStepStopsBeforeTheNext(SamplerKind kind)
    {
        var oracle = new GaussianOracle([0.5, -0.5], 0.3, learnSigma: kind == SamplerKind.Ddpm);
        var sampler = DiffusionSampler.Create(new SamplerOptions { Sampler = kind, Steps = 10, GuidanceScale = 1 });
        using var cancel = new CancellationTokenSource();
        var reports = new List<GenerationProgress>();
        var progress = new Steps(p =>
        {
            reports.Add(p);
            if (p.Step == 3) cancel.Cancel();
        });
        Assert.ThrowsExactly<OperationCanceledException>(() => sampler.Sample(oracle, [0, 1], [1, 2], progress, cancel.Token));
        Assert.HasCount(3, reports, "no step runs after the one during which the token was cancelled");
        int evaluationsPerStep = sampler.NetworkEvaluations / sampler.Steps;
        Assert.IsLessThan(3 * Math.Max(evaluationsPerStep, 2) + 1, oracle.BatchSizes.Count, $"{oracle.BatchSizes.Count} network evaluations for 3 steps");
    }

    [TestMethod]
    public void ACancelledTokenEvaluatesNothingAndProgressCountsEveryStepOfEveryBatch()
    {
        var oracle = new GaussianOracle([0.5, -0.5], 0.3, learnSigma: false);
        var sampler = DiffusionSampler.Create(new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = 4, GuidanceScale = 1, BatchSize = 2 });
        Assert.ThrowsExactly<OperationCanceledException>(() => sampler.Sample(oracle, [0, 1], [1, 2], null, new CancellationToken(canceled: true)));
        Assert.IsEmpty(oracle.BatchSizes);

        var reports = new List<GenerationProgress>();
        sampler.Sample(oracle, [0, 1, 0], [1, 2, 3], new Steps(reports.Add), CancellationToken.None);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 1, 2, 3, 4 }, reports.Select(r => r.Step).ToArray());
        CollectionAssert.AreEqual(new[] { 2, 2, 2, 2, 1, 1, 1, 1 }, reports.Select(r => r.Images).ToArray());
    }
}
