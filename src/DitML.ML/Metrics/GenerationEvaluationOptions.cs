namespace DitML.ML.Metrics;

/// <summary>Which columns <see cref="GenerationCatalog"/> reads, and the metrics' settings (defaults as dit-facts / ADM's evaluator).</summary>
public sealed record GenerationEvaluationOptions
{
    /// <summary>Vector of float features per row (what <c>ExtractImageFeatures</c> adds).</summary>
    public string FeaturesColumnName { get; init; } = "Features";

    /// <summary>Class probabilities per row, for the Inception Score and class accuracy; null or absent to skip both.</summary>
    public string? ProbabilitiesColumnName { get; init; } = "Probabilities";

    /// <summary>The class each row was generated for, for class accuracy; null or absent to skip it.</summary>
    public string? LabelColumnName { get; init; } = "Label";

    /// <summary>
    /// Splits of the Inception Score: consecutive runs of rows, as the reference implementation takes them. Each split
    /// should hold every class — rows sorted by class give a score near 1 — so interleave classes when generating.
    /// </summary>
    public int InceptionScoreSplits { get; init; } = 10;

    /// <summary>Nearest neighbours of improved precision/recall.</summary>
    public int NearestNeighbors { get; init; } = 3;

    /// <summary>Cap on each set for precision/recall (they compare all pairs); larger sets are thinned evenly.</summary>
    public int MaxPrecisionRecallSamples { get; init; } = 5000;
}
