namespace DitML.Metrics;

/// <summary>
/// The one place that turns a classifier's outputs into generation metrics — FID against reference statistics or
/// features, Inception Score and class accuracy from probabilities, improved precision/recall against reference
/// features — for <c>mlContext.Generation().Evaluate</c>, <c>ditml fid</c> and the sweeps alike. Every metric the
/// inputs cannot support stays null. Stateless apart from its options: safe to share between threads.
/// </summary>
public sealed class GenerationEvaluator
{
    /// <summary>An evaluator with <paramref name="options"/> (defaults when null).</summary>
    public GenerationEvaluator(GenerationEvaluatorOptions? options = null)
    {
        Options = options ?? new GenerationEvaluatorOptions();
        if (Options.InceptionScoreSplits < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.InceptionScoreSplits, "InceptionScoreSplits must be at least 1");
        if (Options.NearestNeighbors < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.NearestNeighbors, "NearestNeighbors must be at least 1");
        if (Options.MaxPrecisionRecallSamples < 2) throw new ArgumentOutOfRangeException(nameof(options), Options.MaxPrecisionRecallSamples, "MaxPrecisionRecallSamples must be at least 2");
    }

    /// <summary>The settings.</summary>
    public GenerationEvaluatorOptions Options { get; }

    /// <summary>Metrics of <paramref name="generated"/> against reference statistics (pytorch-fid's μ and Σ); no precision/recall.</summary>
    /// <exception cref="ArgumentException">Statistics of another width than the features, or fewer than 2 rows.</exception>
    public GenerationMetrics Evaluate(ImageFeatures generated, double[] referenceMean, double[] referenceCovariance)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(referenceMean);
        generated.Validate();
        if (referenceMean.Length != generated.Dimension)
            throw new ArgumentException($"the reference statistics are {referenceMean.Length}-dimensional but the generated features {generated.Dimension}-dimensional");
        return Compute(generated, referenceMean, referenceCovariance, reference: null);
    }

    /// <summary>Metrics of <paramref name="generated"/> against <paramref name="reference"/>'s features, with precision/recall.</summary>
    /// <exception cref="ArgumentException">Features of different widths, or fewer than 2 rows in either set.</exception>
    public GenerationMetrics Evaluate(ImageFeatures generated, ImageFeatures reference)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(reference);
        generated.Validate();
        reference.Validate();
        if (reference.Dimension != generated.Dimension)
            throw new ArgumentException($"the reference has {reference.Dimension} features per row, the generated data {generated.Dimension}");
        var (mu, sigma) = Statistics(reference, "reference");
        return Compute(generated, mu, sigma, reference);
    }

    /// <summary>The Fréchet distance between N(μ1, Σ1) and N(μ2, Σ2), with this evaluator's eigensolver.</summary>
    public double FrechetDistance(double[] mu1, double[] sigma1, double[] mu2, double[] sigma2) =>
        DitML.Metrics.FrechetDistance.Compute(mu1, sigma1, mu2, sigma2, Options.Eigensolver);

    private GenerationMetrics Compute(ImageFeatures fake, double[] mu, double[] sigma, ImageFeatures? reference)
    {
        var (fakeMu, fakeSigma) = Statistics(fake, "generated data");
        double? score = null, scoreStd = null, precision = null, recall = null, accuracy = null;
        if (fake.Probabilities is { } probabilities)
        {
            (double mean, double std) = GenerativeMetrics.InceptionScore(probabilities, fake.Classes, Math.Min(Options.InceptionScoreSplits, fake.Count));
            (score, scoreStd) = (mean, std);
            if (fake.Labels is { } labels) accuracy = GenerativeMetrics.ClassAccuracy(probabilities, labels, fake.Classes);
        }
        if (reference is not null)
        {
            int cap = Options.MaxPrecisionRecallSamples, d = fake.Dimension;
            (double p, double r) = GenerativeMetrics.PrecisionRecall(GenerativeMetrics.EvenSubsample(reference.Features, d, cap),
                GenerativeMetrics.EvenSubsample(fake.Features, d, cap), d, Options.NearestNeighbors);
            (precision, recall) = (p, r);
        }
        return new GenerationMetrics
        {
            Fid = FrechetDistance(mu, sigma, fakeMu, fakeSigma),
            InceptionScore = score,
            InceptionScoreStd = scoreStd,
            Precision = precision,
            Recall = recall,
            ClassAccuracy = accuracy,
            SampleCount = fake.Count,
            IsRankDeficient = fake.Count <= fake.Dimension,
        };
    }

    private static (double[] Mean, double[] Covariance) Statistics(ImageFeatures set, string what)
    {
        if (set.Count < 2) throw new ArgumentException($"FID needs at least 2 rows; the {what} has {set.Count}");
        return FeatureStatistics.Of(set.Features, set.Dimension);
    }
}
