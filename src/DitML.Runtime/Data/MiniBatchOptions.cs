namespace DitML.Data;

/// <summary>How <see cref="MiniBatchIterator"/> draws batches. Defaults follow DiT's training loader.</summary>
public sealed record MiniBatchOptions
{
    /// <summary>Items per batch (the paper's global batch is 256).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Seed of the shuffling and flipping; the same seed gives the same batches on every machine and .NET version.</summary>
    public long Seed { get; init; }

    /// <summary>Visit the items in a new random order every epoch (else in dataset order).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Skip the last incomplete batch of an epoch, as DiT's loader does (<c>drop_last=True</c>).</summary>
    public bool DropLast { get; init; } = true;

    /// <summary>Mirror each item left ↔ right with probability ½ (DiT's only augmentation).</summary>
    public bool RandomHorizontalFlip { get; init; } = true;

    /// <summary>Items of a batch prepared in parallel at most this many at a time; −1 uses every core, 1 runs serially.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException($"MiniBatchOptions.BatchSize must be positive, got {BatchSize}.");
        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
            throw new ArgumentException($"MiniBatchOptions.MaxDegreeOfParallelism must be −1 or positive, got {MaxDegreeOfParallelism}.");
    }
}
