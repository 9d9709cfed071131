namespace DitML.Metrics;

/// <summary>
/// Features and class probabilities of images, the inputs of FID, Inception Score, precision/recall and class
/// accuracy: the project's ONNX classifiers, or FID's InceptionV3 in the TorchSharp layer.
/// </summary>
public interface IImageFeatureExtractor : IDisposable
{
    /// <summary>Width of the feature vectors.</summary>
    int FeatureSize { get; }

    /// <summary>Number of classes of the probabilities.</summary>
    int Classes { get; }

    /// <summary>Features (N×F) and probabilities (N×K) of N images given as N×C×H×W floats in [−1, 1].</summary>
    /// <exception cref="ArgumentException">Images the extractor cannot take (channels or size), with both shapes.</exception>
    (float[] Features, float[] Probabilities) Extract(ReadOnlySpan<float> pixels, int channels, int height, int width);
}
