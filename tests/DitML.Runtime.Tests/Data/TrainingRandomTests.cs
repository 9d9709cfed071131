using DitML.Data;

namespace DitML.Runtime.Tests.Data;

/// <summary>
/// Pinned values of DitML's training RNG: they must never change (an exact resume across .NET versions relies on them).
/// The expected numbers come from tests/Fixtures/random/training_random.py, an independent Python implementation;
/// seed 0 and 1234567 are SplitMix64's published reference outputs.
/// </summary>
[TestClass]
public sealed class TrainingRandomTests
{
    [TestMethod]
    public void SplitMix64MatchesItsReferenceOutputs()
    {
        var zero = new TrainingRandom(0);
        CollectionAssert.AreEqual(new ulong[] { 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F },
            new[] { zero.NextUInt64(), zero.NextUInt64(), zero.NextUInt64() });
        var r = new TrainingRandom(1234567);
        CollectionAssert.AreEqual(new ulong[] { 6457827717110365317, 3203168211198807973, 9817491932198370423 },
            new[] { r.NextUInt64(), r.NextUInt64(), r.NextUInt64() });
    }

    [TestMethod]
    public void BoundedIntsAndCoinsArePinned()
    {
        var r = new TrainingRandom(-5);
        CollectionAssert.AreEqual(new[] { 0, 5, 8, 8, 6, 1, 0, 4 }, Enumerable.Range(0, 8).Select(_ => r.Next(10)).ToArray());
        var coin = new TrainingRandom(DerivedSeed.Of(7, 2));
        CollectionAssert.AreEqual(new[] { true, true, true, false, false, false, true, false }, Enumerable.Range(0, 8).Select(_ => coin.NextBool()).ToArray());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TrainingRandom(1).Next(0));
    }

    [TestMethod]
    public void BatchScheduleShufflesArePinned()
    {
        var schedule = new BatchSchedule(10, seed: 3);
        var batch = new int[10];
        schedule.Indices(0, batch);
        CollectionAssert.AreEqual(new[] { 1, 2, 6, 3, 8, 5, 7, 4, 9, 0 }, batch, "epoch 0");
        schedule.Indices(1, batch);
        CollectionAssert.AreEqual(new[] { 6, 9, 0, 8, 5, 7, 3, 1, 2, 4 }, batch, "epoch 1");
    }

    [TestMethod]
    public void NextIsUniform()
    {
        var r = new TrainingRandom(11);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[r.Next(7)]++;
        foreach (int c in counts) Assert.IsTrue(Math.Abs(c - 10_000) < 400, string.Join(", ", counts));   // ~4 standard deviations
    }
}
