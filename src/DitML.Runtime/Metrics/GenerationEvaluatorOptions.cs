namespace DitML.Metrics;

/// <summary>Settings of <see cref="GenerationEvaluator"/>; defaults as dit-facts and ADM's evaluator.</summary>
public record GenerationEvaluatorOptions
{
    /// <summary>
    /// Splits of the Inception Score: consecutive runs of rows, as the reference implementation takes them (fewer when
    /// there are fewer rows). Each split should hold every class — rows sorted by class give a score near 1 — so
    /// interleave classes when generating.
    /// </summary>
    public int InceptionScoreSplits { get; init; } = 10;

    /// <summary>Nearest neighbours of improved precision/recall.</summary>
    public int NearestNeighbors { get; init; } = 3;

    /// <summary>Cap on each set for precision/recall (they compare all pairs); larger sets are thinned evenly.</summary>
    public int MaxPrecisionRecallSamples { get; init; } = 5000;

    /// <summary>
    /// The eigensolver of the Fréchet distance; null is the managed one (no native code). A LAPACK solver
    /// (<c>LapackEigensolver</c> in DitML.Torch) is much faster on 2048-wide Inception statistics.
    /// </summary>
    public ISymmetricEigensolver? Eigensolver { get; init; }
}
