using DitML.Metrics;

namespace DitML.ML.Metrics;

/// <summary>
/// Which columns <see cref="GenerationCatalog"/> reads; the metrics' settings are <see cref="GenerationEvaluatorOptions"/>'s
/// (defaults as dit-facts / ADM's evaluator).
/// </summary>
public sealed record GenerationEvaluationOptions : GenerationEvaluatorOptions
{
    /// <summary>Vector of float features per row (what <c>ExtractImageFeatures</c> adds).</summary>
    public string FeaturesColumnName { get; init; } = "Features";

    /// <summary>Class probabilities per row, for the Inception Score and class accuracy; null or absent to skip both.</summary>
    public string? ProbabilitiesColumnName { get; init; } = "Probabilities";

    /// <summary>The class each row was generated for, for class accuracy; null or absent to skip it.</summary>
    public string? LabelColumnName { get; init; } = "Label";
}
