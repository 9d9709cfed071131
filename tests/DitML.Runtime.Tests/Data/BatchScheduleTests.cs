using DitML.Data;

namespace DitML.Runtime.Tests.Data;

[TestClass]
public sealed class BatchScheduleTests
{
    [TestMethod]
    public void BatchScheduleCoversEachEpochOnceAndDependsOnlyOnTheStep()
    {
        var a = new BatchSchedule(10, seed: 4);
        var seen = new List<int>();
        var batch = new int[5];
        for (int step = 0; step < 2; step++)
        {
            a.Indices(step, batch);
            seen.AddRange(batch);
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).ToList(), seen, "one epoch visits every item once");
        var b = new BatchSchedule(10, seed: 4);
        var again = new int[5];
        b.Indices(1, again);
        CollectionAssert.AreEqual(seen.Skip(5).ToArray(), again, "a fresh schedule gives step 1 the same batch");
    }
}
