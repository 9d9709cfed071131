namespace DitML.Data;

/// <summary>
/// Which images form training batch s: the data is shuffled by a fresh permutation each epoch (seeded by the run's seed
/// and the epoch, drawn with <see cref="TrainingRandom"/>, stable across .NET versions), batches walk through it in
/// order. A batch depends only on (seed, step), so a resumed run reads exactly the batches a straight run would.
/// </summary>
public sealed class BatchSchedule
{
    private readonly int count;
    private readonly long seed;
    private int cachedEpoch = -1;
    private int[] permutation = [];

    /// <summary>Creates the schedule over <paramref name="count"/> items.</summary>
    public BatchSchedule(int count, long seed)
    {
        if (count <= 0) throw new ArgumentException("the dataset is empty", nameof(count));
        this.count = count;
        this.seed = seed;
    }

    /// <summary>Writes the indices of batch <paramref name="step"/> (of <paramref name="indices"/>.Length items).</summary>
    public void Indices(long step, Span<int> indices)
    {
        long start = step * indices.Length;
        for (int i = 0; i < indices.Length; i++)
        {
            long position = start + i;
            int epoch = (int)(position / count);
            if (epoch != cachedEpoch) Shuffle(epoch);
            indices[i] = permutation[position % count];
        }
    }

    private void Shuffle(int epoch)
    {
        permutation = Enumerable.Range(0, count).ToArray();
        // DitML's own generator: System.Random's seeded sequence may change between .NET versions.
        new TrainingRandom(DerivedSeed.Of(seed, epoch)).Shuffle(permutation.AsSpan());
        cachedEpoch = epoch;
    }
}
