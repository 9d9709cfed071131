using DitML.Metrics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Metrics;

/// <summary>
/// Evaluation of generated images, reached as <c>mlContext.Generation()</c> (like <c>mlContext.BinaryClassification</c>):
/// FID, Inception Score, precision/recall and class accuracy from the feature and probability columns that
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
        return Metrics(fake, mu, sigma, realFeatures: null, options);
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
        if (real.Dimension != fake.Dimension)
            throw new ArgumentException($"the reference has {real.Dimension} features per row, the generated data {fake.Dimension}");
        var (mu, sigma) = Statistics(real);
        return Metrics(fake, mu, sigma, real.Features, options);
    }

    private static GenerationMetrics Metrics(ColumnReader.Columns fake, double[] mu, double[] sigma, float[]? realFeatures, GenerationEvaluationOptions options)
    {
        var (fakeMu, fakeSigma) = Statistics(fake);
        double? score = null, scoreStd = null, precision = null, recall = null, accuracy = null;
        if (fake.Probabilities is { } probabilities)
        {
            var (mean, std) = GenerativeMetrics.InceptionScore(probabilities, fake.Classes, Math.Min(options.InceptionScoreSplits, fake.Count));
            (score, scoreStd) = (mean, std);
            if (fake.Labels is { } labels) accuracy = GenerativeMetrics.ClassAccuracy(probabilities, labels, fake.Classes);
        }
        if (realFeatures is not null)
        {
            int cap = options.MaxPrecisionRecallSamples;
            (double p, double r) = GenerativeMetrics.PrecisionRecall(GenerativeMetrics.EvenSubsample(realFeatures, fake.Dimension, cap),
                GenerativeMetrics.EvenSubsample(fake.Features, fake.Dimension, cap), fake.Dimension, options.NearestNeighbors);
            (precision, recall) = (p, r);
        }
        return new GenerationMetrics
        {
            Fid = FrechetDistance.Compute(mu, sigma, fakeMu, fakeSigma),
            InceptionScore = score,
            InceptionScoreStd = scoreStd,
            Precision = precision,
            Recall = recall,
            ClassAccuracy = accuracy,
            SampleCount = fake.Count,
            IsRankDeficient = fake.Count <= fake.Dimension,
        };
    }

    private static (double[] Mean, double[] Covariance) Statistics(ColumnReader.Columns columns)
    {
        if (columns.Count < 2) throw new ArgumentException($"FID needs at least 2 rows; the data has {columns.Count}");
        return FeatureStatistics.Of(columns.Features, columns.Dimension);
    }
}
