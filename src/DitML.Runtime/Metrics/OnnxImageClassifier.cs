using DitML.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DitML.Metrics;

/// <summary>
/// An image classifier exported to ONNX (input "pixels" (N, C, H, W) in [−1, 1]; outputs "features" (N, F) and
/// "probabilities" (N, K)), as a torch-free feature extractor for FID, Inception Score and class accuracy.
/// </summary>
public sealed class OnnxImageClassifier : IImageFeatureExtractor
{
    private readonly InferenceSession session;
    private readonly int[] inputShape;

    /// <summary>Opens the classifier.</summary>
    /// <exception cref="FileNotFoundException">Naming the missing file.</exception>
    /// <exception cref="DeviceUnavailableException">A CUDA device asked for and unusable here.</exception>
    /// <param name="path">The exported classifier.</param>
    /// <param name="device">Where it runs (null: the CPU; see <see cref="OnnxDevice"/>).</param>
    public OnnxImageClassifier(string path, OnnxDevice? device = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"classifier not found: {path}", path);
        session = OnnxSessions.Open(path, device, 0, GraphOptimizationLevel.ORT_ENABLE_ALL, out var used);
        Device = used;
        var input = session.InputMetadata["pixels"];
        inputShape = input.Dimensions;
        FeatureSize = session.OutputMetadata["features"].Dimensions[1];
        Classes = session.OutputMetadata["probabilities"].Dimensions[1];
    }

    /// <summary>Where the session runs.</summary>
    public OnnxDevice Device { get; }

    /// <summary>Width of the feature vectors.</summary>
    public int FeatureSize { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Shape of one input image: (channels, height, width).</summary>
    public int[] InputShape => [inputShape[1], inputShape[2], inputShape[3]];

    /// <summary>Channels × height × width of one input image.</summary>
    public int ImageSize => inputShape[1] * inputShape[2] * inputShape[3];

    /// <summary>Features (N×F) and class probabilities (N×K) of N images (N×C×H×W in [−1, 1]), batch by batch.</summary>
    public (float[] Features, float[] Probabilities) Run(ReadOnlySpan<float> pixels, int batch = 256)
    {
        int n = pixels.Length / ImageSize;
        var features = new float[n * FeatureSize];
        var probabilities = new float[n * Classes];
        for (int start = 0; start < n; start += batch)
        {
            int m = Math.Min(batch, n - start);
            var input = new DenseTensor<float>(pixels.Slice(start * ImageSize, m * ImageSize).ToArray(), [m, inputShape[1], inputShape[2], inputShape[3]]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("pixels", input)]);
            results.First(r => r.Name == "features").AsEnumerable<float>().ToArray().CopyTo(features, start * FeatureSize);
            results.First(r => r.Name == "probabilities").AsEnumerable<float>().ToArray().CopyTo(probabilities, start * Classes);
        }
        return (features, probabilities);
    }

    /// <inheritdoc />
    public (float[] Features, float[] Probabilities) Extract(ReadOnlySpan<float> pixels, int channels, int height, int width)
    {
        if (channels != inputShape[1] || height != inputShape[2] || width != inputShape[3])
            throw new ArgumentException($"images are {channels}×{height}×{width} (C×H×W); the classifier takes {inputShape[1]}×{inputShape[2]}×{inputShape[3]}");
        return Run(pixels);
    }

    /// <inheritdoc />
    public void Dispose() => session.Dispose();
}
