using DitML.Metrics;

namespace DitML.Examples.FashionMnistDiT;

/// <summary>
/// Scores Fashion-MNIST images with the project's classifier: class accuracy against the requested labels and FID, in
/// the classifier's feature space, against the test set's statistics.
/// </summary>
internal sealed class FashionMnistScorer : IDisposable
{
    private readonly OnnxImageClassifier classifier;
    private readonly double[] mu;
    private readonly double[] sigma;

    /// <summary>Opens <paramref name="classifierPath"/> and reads <paramref name="statisticsPath"/>.</summary>
    public FashionMnistScorer(string classifierPath, string statisticsPath)
    {
        classifier = new OnnxImageClassifier(classifierPath);
        (mu, sigma) = StatisticsFile.Load(statisticsPath);
    }

    /// <summary>Class accuracy and FID of <paramref name="images"/> (N×1×28×28 in [−1, 1]) drawn for <paramref name="labels"/>.</summary>
    public (double Accuracy, double Fid) Score(float[] images, long[] labels)
    {
        var (features, probabilities) = classifier.Run(images);
        var (imagesMu, imagesSigma) = FeatureStatistics.Of(features, classifier.FeatureSize);
        return (GenerativeMetrics.ClassAccuracy(probabilities, labels, 10), FrechetDistance.Compute(mu, sigma, imagesMu, imagesSigma));
    }

    /// <summary>
    /// The same measures on the first <paramref name="perClass"/> training images of each class: the floor a perfect
    /// model reaches at this sample count (FID from a few hundred samples is biased upwards).
    /// </summary>
    public (double Accuracy, double Fid) RealFloor(int perClass, long[] labels)
    {
        var train = DitML.Data.FashionMnist.Load(DitML.Data.IdxSplit.Train);
        int plane = train.Channels * train.Height * train.Width;
        var pixels = new float[10 * perClass * plane];
        for (int k = 0, row = 0; k < 10; k++)
            for (int i = 0, taken = 0; taken < perClass; i++)
                if (train.GetLabel(i) == k) { train.CopyImage(i, pixels.AsSpan(row++ * plane, plane)); taken++; }
        return Score(pixels, labels);
    }

    /// <inheritdoc />
    public void Dispose() => classifier.Dispose();
}
