using static TorchSharp.torch;
using DitML.Metrics;

namespace DitML.Classifiers.Inception;

/// <summary>FID's InceptionV3 as an <see cref="IImageFeatureExtractor"/>: any image size; grayscale is repeated to RGB.</summary>
public sealed class InceptionFeatureExtractor : IImageFeatureExtractor
{
    private readonly FidInceptionV3 model;

    /// <summary>Loads the FID weights from <paramref name="weightsPath"/> (see <see cref="FidInceptionV3.Load"/>).</summary>
    public InceptionFeatureExtractor(string weightsPath) => model = FidInceptionV3.Load(weightsPath);

    /// <summary>Wraps a network already built (the caller keeps it).</summary>
    public InceptionFeatureExtractor(FidInceptionV3 model) => this.model = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc/>
    public int FeatureSize => FidInceptionV3.FeatureSize;

    /// <inheritdoc/>
    public int Classes => FidInceptionV3.Classes;

    /// <inheritdoc/>
    public (float[] Features, float[] Probabilities) Extract(ReadOnlySpan<float> pixels, int channels, int height, int width)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"images have {channels} channels; InceptionV3 takes 3 (or 1, repeated)");
        if (channels == 3) return model.Run(pixels, height, width);
        int plane = height * width, n = pixels.Length / plane;
        var rgb = new float[(long)n * 3 * plane];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) pixels.Slice(i * plane, plane).CopyTo(rgb.AsSpan((i * 3 + c) * plane, plane));
        return model.Run(rgb, height, width);
    }

    /// <inheritdoc/>
    public void Dispose() => model.Dispose();
}
