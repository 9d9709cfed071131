using DitML.Imaging;

namespace DitML.Data;

/// <summary>
/// Draws shuffled mini-batches (B, C, H, W) + labels from an <see cref="IImageDataset"/>, epoch after epoch, endlessly.
/// Everything random is a pure function of (seed, epoch, item): the order of epoch e is a Fisher–Yates shuffle seeded by
/// (seed, e), and whether item i is flipped in epoch e depends only on (seed, e, i). So a run can be resumed exactly with
/// <see cref="Seek"/>, and batch size or parallelism never change which pixels an item gets.
/// Buffers are reused between calls (see <see cref="MiniBatch"/>).
/// </summary>
public sealed class MiniBatchIterator
{
    private const ulong OrderStream = 0x6F72646572UL; // "order"
    private const ulong FlipStream = 0x666C6970UL;    // "flip"

    private readonly MiniBatch _full;
    private MiniBatch? _partial;
    private int[]? _order;
    private int _orderEpoch = -1;

    /// <summary>Creates an iterator positioned at the first batch of epoch 0.</summary>
    /// <exception cref="ArgumentException">Bad options, or the dataset cannot fill a single batch while <see cref="MiniBatchOptions.DropLast"/> is set.</exception>
    public MiniBatchIterator(IImageDataset dataset, MiniBatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new MiniBatchOptions();
        options.Validate();
        if (dataset.Count <= 0) throw new ArgumentException("The dataset is empty.", nameof(dataset));
        if (options.DropLast && dataset.Count < options.BatchSize)
            throw new ArgumentException(
                $"MiniBatchOptions.BatchSize {options.BatchSize} exceeds the dataset's {dataset.Count} items while DropLast is set, so no batch could be drawn; lower BatchSize or clear DropLast.");
        Dataset = dataset;
        Options = options;
        BatchesPerEpoch = options.DropLast ? dataset.Count / options.BatchSize : (dataset.Count + options.BatchSize - 1) / options.BatchSize;
        _full = new MiniBatch(options.BatchSize, dataset.Channels, dataset.Height, dataset.Width);
    }

    /// <summary>The dataset read.</summary>
    public IImageDataset Dataset { get; }

    /// <summary>The options in effect.</summary>
    public MiniBatchOptions Options { get; }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Epoch of the next batch.</summary>
    public int Epoch { get; private set; }

    /// <summary>Position within its epoch of the next batch.</summary>
    public int BatchIndex { get; private set; }

    /// <summary>Batches drawn so far (the global step of the next batch).</summary>
    public long Step => (long)Epoch * BatchesPerEpoch + BatchIndex;

    /// <summary>Moves to global step <paramref name="step"/> (batches already drawn), e.g. to resume training.</summary>
    public void Seek(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        Epoch = checked((int)(step / BatchesPerEpoch));
        BatchIndex = (int)(step % BatchesPerEpoch);
    }

    /// <summary>
    /// Draws the next batch, moving on to the next epoch (newly shuffled) after the last one. If the dataset throws
    /// (e.g. a corrupt image), the exception propagates and the position does not advance.
    /// </summary>
    public MiniBatch Next()
    {
        var order = EpochOrder(Epoch);
        int batchSize = Options.BatchSize;
        int start = BatchIndex * batchSize;
        int count = Math.Min(batchSize, order.Length - start);
        var batch = count == batchSize ? _full : (_partial is { } p && p.Count == count ? p : _partial = new MiniBatch(count, Dataset.Channels, Dataset.Height, Dataset.Width));
        batch.Epoch = Epoch;
        batch.BatchIndex = BatchIndex;
        Fill(batch, order.AsSpan(start, count));

        if (++BatchIndex == BatchesPerEpoch)
        {
            BatchIndex = 0;
            Epoch++;
        }
        return batch;
    }

    /// <summary>The remaining batches of the current epoch (all of them when called at its start).</summary>
    public IEnumerable<MiniBatch> ReadEpoch()
    {
        int epoch = Epoch;
        while (Epoch == epoch) yield return Next();
    }

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the dataset (a fresh array).</summary>
    public int[] GetEpochOrder(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var order = new int[Dataset.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (!Options.Shuffle) return order;
        var rng = new DeterministicRandom(DeterministicRandom.Hash((ulong)Options.Seed, OrderStream, (ulong)epoch));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Whether item <paramref name="index"/> is mirrored in epoch <paramref name="epoch"/>.</summary>
    public bool IsFlipped(int epoch, int index) =>
        Options.RandomHorizontalFlip
        && (DeterministicRandom.Hash((ulong)Options.Seed ^ FlipStream, (ulong)epoch, (ulong)index) >> 63) != 0;

    private int[] EpochOrder(int epoch)
    {
        if (_orderEpoch != epoch)
        {
            _order = GetEpochOrder(epoch);
            _orderEpoch = epoch;
        }
        return _order!;
    }

    private void Fill(MiniBatch batch, ReadOnlySpan<int> items)
    {
        items.CopyTo(batch.Indices);
        int itemSize = batch.Channels * batch.Height * batch.Width;
        int epoch = batch.Epoch;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism };
        try
        {
            Parallel.For(0, batch.Count, parallel, k =>
            {
                int index = batch.Indices[k];
                var pixels = batch.Pixels.AsSpan(k * itemSize, itemSize);
                Dataset.CopyImage(index, pixels);
                bool flip = IsFlipped(epoch, index);
                if (flip) HorizontalFlip.InPlace(pixels, batch.Channels, batch.Height, batch.Width);
                batch.Flipped[k] = flip;
                batch.Labels[k] = Dataset.GetLabel(index);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // Surface the dataset's own error (e.g. which image file is corrupt), not the parallel wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }
}
