using DitML.Data;

namespace DitML.Runtime.Tests.Data;

[TestClass]
public sealed class DerivedSeedTests
{
    [TestMethod]
    public void SeedsOfARunKeepTheirValues()
    {
        // Runs, saved sample grids and resumed trainings from before this helper existed used seed·1,000,003 + index.
        Assert.AreEqual(7_000_024L, DerivedSeed.Of(7, 3));
        Assert.AreEqual(-1_000_003L + 5, DerivedSeed.Of(-1, 5));
        Assert.AreEqual(unchecked(long.MaxValue * 1_000_003L + 1), DerivedSeed.Of(long.MaxValue, 1), "wraps, never throws");
    }

    [TestMethod]
    public void RandomSeedsAreNonNegativeAndDistinctAcrossSmallIndices()
    {
        var seeds = Enumerable.Range(0, 1000).Select(i => DerivedSeed.ForRandom(long.MaxValue - 3, i)).ToArray();
        Assert.IsTrue(seeds.All(s => s >= 0));
        Assert.HasCount(1000, seeds.Distinct());
        Assert.AreNotEqual(DerivedSeed.Of(1, 0), DerivedSeed.Of(0, 1));
    }
}
