using System.Globalization;
using System.Text;

namespace DitML.Metrics;

/// <summary>
/// How close generated images are to real ones, measured on a classifier's features: what
/// <see cref="GenerationEvaluator"/> computes (for <c>mlContext.Generation().Evaluate</c>, <c>ditml fid</c> and sweeps).
/// Metrics that the inputs cannot support (no probabilities column, no reference features) are null.
/// </summary>
public sealed record GenerationMetrics
{
    /// <summary>Fréchet distance between the Gaussians fitted to generated and reference features (lower is better).</summary>
    public required double Fid { get; init; }

    /// <summary>Inception Score (mean over splits) from the classifier's probabilities; higher is better.</summary>
    public double? InceptionScore { get; init; }

    /// <summary>Standard deviation of the Inception Score over its splits.</summary>
    public double? InceptionScoreStd { get; init; }

    /// <summary>Improved precision (k = 3): share of generated samples inside the reference manifold. Needs reference features.</summary>
    public double? Precision { get; init; }

    /// <summary>Improved recall (k = 3): share of reference samples inside the generated manifold. Needs reference features.</summary>
    public double? Recall { get; init; }

    /// <summary>How often the classifier's label equals the class each sample was generated for.</summary>
    public double? ClassAccuracy { get; init; }

    /// <summary>Generated samples evaluated.</summary>
    public required long SampleCount { get; init; }

    /// <summary>
    /// True when there are no more generated samples than feature dimensions: the covariance is rank-deficient and FID is
    /// biased (comparable only between runs of the same size).
    /// </summary>
    public required bool IsRankDeficient { get; init; }

    /// <summary>One metric per line, as <c>ditml fid</c> prints them.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(inv, $"FID: {Fid:F4}");
        if (InceptionScore is { } score) text.Append(inv, $"\nInception Score: {score:F4} ± {InceptionScoreStd:F4}");
        if (Precision is { } precision) text.Append(inv, $"\nPrecision: {precision:F4}");
        if (Recall is { } recall) text.Append(inv, $"\nRecall: {recall:F4}");
        if (ClassAccuracy is { } accuracy) text.Append(inv, $"\nClass accuracy: {accuracy:F4}");
        text.Append(inv, $"\nSamples: {SampleCount}");
        if (IsRankDeficient) text.Append("\nwarning: no more samples than feature dimensions: the covariance is rank-deficient and FID biased");
        return text.ToString();
    }
}
