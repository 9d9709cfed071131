using DitML.Generation;
using DitML.ML.Generation;

namespace DitML.ML.Tests.Generation;

[TestClass]
public sealed class GeneratorCacheTests
{
    private sealed class Counted(string spec, List<string> disposed) : IImageGenerator, IDisposable
    {
        private int running;

        public string Spec => spec;

        public bool IsDisposed { get; private set; }

        public int Channels => 1;

        public int Height => 2;

        public int Width => 2;

        public int NumClasses => 10;

        public void Generate(ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, Span<float> pixels, IProgress<GenerationProgress>? progress = null)
        {
            if (IsDisposed) throw new ObjectDisposedException(spec);
            if (Interlocked.Increment(ref running) != 1) throw new InvalidOperationException("two generations at once on one generator");
            Thread.SpinWait(2000);
            Interlocked.Decrement(ref running);
        }

        public void Dispose()
        {
            IsDisposed = true;
            lock (disposed) disposed.Add(spec);
        }
    }

    [TestMethod]
    public void TheLeastRecentlyUsedGeneratorIsDisposedPastCapacity()
    {
        var disposed = new List<string>();
        var opened = new List<string>();
        var cache = new GeneratorCache(2, s => { opened.Add(s); return new Counted(s, disposed); });
        foreach (string spec in new[] { "a", "b", "a", "c" }) cache.Use(spec, g => Assert.AreEqual(spec, ((Counted)g).Spec));
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, opened, "a is reused, not reopened");
        CollectionAssert.AreEqual(new[] { "b" }, disposed, "b was the least recently used when c came");
        cache.Clear();
        CollectionAssert.AreEquivalent(new[] { "b", "a", "c" }, disposed, "Clear disposes the rest");
    }

    [TestMethod]
    public void ThreadsNeverShareAGeneratorAtOnceNorUseADisposedOne()
    {
        var disposed = new List<string>();
        var cache = new GeneratorCache(1, s => new Counted(s, disposed));       // every other call evicts
        var specs = new[] { "x", "y" };
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            cache.Use(specs[i % 2], g => g.Generate([0], [i], new float[4])));
        lock (disposed) Assert.IsTrue(disposed.Count > 0, "evictions happened under load");
        cache.Clear();
    }
}
