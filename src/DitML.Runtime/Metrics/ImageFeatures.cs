namespace DitML.Metrics;

/// <summary>
/// What a classifier says about a set of images, row-major: <c>Features</c> (N, D), and when present its class
/// probabilities (N, K) and the class each image was generated for (N). The input of <see cref="GenerationEvaluator"/>.
/// </summary>
/// <param name="Features">Row-major features, N×D.</param>
/// <param name="Dimension">D, features per image.</param>
/// <param name="Probabilities">Row-major class probabilities, N×K, or null.</param>
/// <param name="Classes">K, the classifier's classes (0 without probabilities).</param>
/// <param name="Labels">The class each image was generated for, or null.</param>
public sealed record ImageFeatures(float[] Features, int Dimension, float[]? Probabilities = null, int Classes = 0, long[]? Labels = null)
{
    /// <summary>N, the images.</summary>
    public int Count => Dimension > 0 ? Features.Length / Dimension : 0;

    /// <summary>Checks that the arrays fit together.</summary>
    /// <exception cref="ArgumentException">Naming what does not fit.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Features);
        if (Dimension <= 0 || Features.Length % Dimension != 0)
            throw new ArgumentException($"{Features.Length} feature values are not whole rows of {Dimension}");
        if (Probabilities is { } p && (Classes <= 0 || p.Length != (long)Count * Classes))
            throw new ArgumentException($"{p.Length} probabilities do not fit {Count} rows of {Classes} classes");
        if (Labels is { } l && l.Length != Count)
            throw new ArgumentException($"{l.Length} labels for {Count} rows");
    }
}
