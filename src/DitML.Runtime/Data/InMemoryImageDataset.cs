namespace DitML.Data;

/// <summary>
/// Images already in memory as CHW floats in [−1, 1] (or latents, for latent-space training), with class labels: what an
/// ML.NET IDataView or a latent cache becomes before training.
/// </summary>
public sealed class InMemoryImageDataset : IImageDataset
{
    private readonly float[] pixels;
    private readonly int[] labels;

    /// <summary>Wraps <paramref name="pixels"/> (labels.Length × C × H × W, not copied) and <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">Sizes that do not match, no items, or a label outside [0, classCount).</exception>
    public InMemoryImageDataset(float[] pixels, int[] labels, int channels, int height, int width, int classCount)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (channels <= 0 || height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(channels), $"image shape must be positive, got ({channels}, {height}, {width})");
        if (labels.Length == 0) throw new ArgumentException("the dataset is empty", nameof(labels));
        if (pixels.LongLength != (long)labels.Length * channels * height * width)
            throw new ArgumentException($"{labels.Length} images of ({channels}, {height}, {width}) need {(long)labels.Length * channels * height * width} values, got {pixels.LongLength}", nameof(pixels));
        if (classCount <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), $"need at least one class, got {classCount}");
        int bad = Array.FindIndex(labels, l => l < 0 || l >= classCount);
        if (bad >= 0) throw new ArgumentException($"label {labels[bad]} of item {bad} is outside [0, {classCount})", nameof(labels));
        this.pixels = pixels;
        this.labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassNames = Enumerable.Range(0, classCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <inheritdoc/>
    public int Count => labels.Length;

    /// <inheritdoc/>
    public int ClassCount => ClassNames.Count;

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc/>
    public int Channels { get; }

    /// <inheritdoc/>
    public int Height { get; }

    /// <inheritdoc/>
    public int Width { get; }

    private int Size => Channels * Height * Width;

    /// <inheritdoc/>
    public int GetLabel(int index) => labels[index];

    /// <inheritdoc/>
    public void CopyImage(int index, Span<float> destination) => pixels.AsSpan(index * Size, Size).CopyTo(destination);

    /// <inheritdoc/>
    public (float[] Pixels, int Label) GetItem(int index) => (pixels.AsSpan(index * Size, Size).ToArray(), labels[index]);
}
