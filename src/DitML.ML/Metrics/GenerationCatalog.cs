using DitML.Metrics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Metrics;

/// <summary>
/// Evaluation of generated images, reached as <c>mlContext.Generation()</c> (like <c>mlContext.BinaryClassification</c>):
/// FID, Inception Score, precision/recall and class accuracy (computed by <see cref="GenerationEvaluator"/>) from the feature and probability columns that
/// <c>mlContext.Transforms.ExtractImageFeatures</c> adds, against reference statistics or a second IDataView.
/// </summary>
public sealed class GenerationCatalog
{
    internal GenerationCatalog(MLContext context) => Context = context;

    /// <summary>The context this catalog belongs to.</summary>
    public MLContext Context { get; }

    /// <summary>
    /// Metrics of <paramref name="generated"/> against reference statistics in the pytorch-fid layout (.npz with
    /// <c>mu</c> and <c>sigma</c>, e.g. the shipped Fashion-MNIST test statistics). Precision/recall need reference
    /// features and stay null here.
    /// </summary>
    /// <exception cref="FileNotFoundException">Naming the statistics file.</exception>
    /// <exception cref="ArgumentException">A missing column, or statistics of another feature width.</exception>
    public GenerationMetrics Evaluate(IDataView generated, string referenceStatisticsPath, GenerationEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentException.ThrowIfNullOrEmpty(referenceStatisticsPath);
        if (!File.Exists(referenceStatisticsPath))
            throw new FileNotFoundException($"reference statistics not found: {referenceStatisticsPath}", referenceStatisticsPath);
        options ??= new GenerationEvaluationOptions();
        var fake = ColumnReader.Read(generated, options);
        var (mu, sigma) = StatisticsFile.Load(referenceStatisticsPath);
        if (mu.Length != fake.Dimension)
            throw new ArgumentException($"reference statistics {referenceStatisticsPath} are {mu.Length}-dimensional but column '{options.FeaturesColumnName}' holds {fake.Dimension} features");
        return new GenerationEvaluator(options).Evaluate(fake, mu, sigma);
    }

    /// <summary>Metrics of <paramref name="generated"/> against the features of <paramref name="reference"/> (same columns), with precision/recall.</summary>
    /// <exception cref="ArgumentException">A missing column, or features of different widths.</exception>
    public GenerationMetrics Evaluate(IDataView generated, IDataView reference, GenerationEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(reference);
        options ??= new GenerationEvaluationOptions();
        var fake = ColumnReader.Read(generated, options);
        var real = ColumnReader.Read(reference, options with { ProbabilitiesColumnName = null, LabelColumnName = null });
        return new GenerationEvaluator(options).Evaluate(fake, real);
    }
}
