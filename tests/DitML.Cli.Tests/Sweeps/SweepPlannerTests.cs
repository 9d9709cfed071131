using DitML.Cli.Sweeps;

namespace DitML.Cli.Tests.Sweeps;

[TestClass]
public sealed class SweepPlannerTests
{
    private static readonly SweepSpace Space = new()
    {
        Depth = [2, 4], HiddenSize = [64, 128], Heads = [4], Patch = [4, 7], Lr = [1e-4, 3e-4], Batch = [32],
        Guidance = [1.5, 3], Sampler = ["dpm++", "ddim"], SamplingSteps = [10, 20, 50],
    };

    [TestMethod]
    public void GridEnumeratesEveryCombinationWithTheLastKnobFastest()
    {
        var grid = SweepPlanner.Grid(Space);
        Assert.AreEqual(2 * 2 * 1 * 2 * 2 * 1, grid.Count);
        CollectionAssert.AreEqual(Enumerable.Range(0, 16).ToArray(), grid.Select(t => t.Index).ToArray());
        Assert.AreEqual(new SweepTrial(0, 2, 64, 4, 4, 1e-4, 32), grid[0]);
        Assert.AreEqual(new SweepTrial(1, 2, 64, 4, 4, 3e-4, 32), grid[1]);
        Assert.AreEqual(new SweepTrial(2, 2, 64, 4, 7, 1e-4, 32), grid[2]);
        Assert.AreEqual(new SweepTrial(4, 2, 128, 4, 4, 1e-4, 32), grid[4]);
        Assert.AreEqual(new SweepTrial(15, 4, 128, 4, 7, 3e-4, 32), grid[15]);
        Assert.AreEqual(16, grid.Select(t => t.Id).Distinct().Count(), "ids are unique folder names");
        Assert.AreEqual("000-d2-w64-h4-p4-lr0.0001-b32", grid[0].Id);
    }

    [TestMethod]
    public void SamplingSettingsAreEveryCombination()
    {
        var s = SweepPlanner.Sampling(Space);
        Assert.AreEqual(2 * 2 * 3, s.Count);
        Assert.AreEqual(new SweepSampling(1.5, "dpm++", 10), s[0]);
        Assert.AreEqual(new SweepSampling(1.5, "dpm++", 20), s[1]);
        Assert.AreEqual(new SweepSampling(3, "ddim", 50), s[^1]);
    }

    [TestMethod]
    public void RandomSearchIsDeterministicPerSeedAndNeverRepeatsATrial()
    {
        var a = SweepPlanner.Random(Space, 5, seed: 42);
        var b = SweepPlanner.Random(Space, 5, seed: 42);
        var c = SweepPlanner.Random(Space, 5, seed: 43);
        Assert.AreEqual(5, a.Count);
        CollectionAssert.AreEqual(a.ToArray(), b.ToArray());
        CollectionAssert.AreNotEqual(a.ToArray(), c.ToArray());
        Assert.AreEqual(5, a.Select(t => t.Index).Distinct().Count());
        var grid = SweepPlanner.Grid(Space);
        foreach (var t in a) Assert.AreEqual(grid[t.Index], t, "a drawn trial keeps its grid index and id");
        Assert.AreEqual(16, SweepPlanner.Random(Space, 100, seed: 1).Count, "never more than the grid");
    }
}
