namespace DitML.Generation;

/// <summary>
/// Resizes another generator's images to a square output size with bilinear interpolation (half-pixel centers, as
/// PyTorch's interpolate with align_corners = false). Safe to share between threads when the inner generator is: each call
/// resizes from its own buffer.
/// </summary>
public sealed class ResizingGenerator : IImageGenerator, IDisposable
{
    private readonly IImageGenerator inner;

    /// <summary>Wraps <paramref name="inner"/>, producing <paramref name="size"/>×<paramref name="size"/> images.</summary>
    public ResizingGenerator(IImageGenerator inner, int size)
    {
        this.inner = inner ?? throw new ArgumentNullException(nameof(inner));
        if (size <= 0) throw new ArgumentException($"output size must be positive, got {size}", nameof(size));
        Height = Width = size;
    }

    /// <summary>The generator whose images are resized.</summary>
    public IImageGenerator Inner => inner;

    /// <inheritdoc />
    public int Channels => inner.Channels;

    /// <inheritdoc />
    public int Height { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <inheritdoc />
    public int NumClasses => inner.NumClasses;

    /// <inheritdoc />
    public IReadOnlyList<string>? ClassNames => inner.ClassNames;

    /// <inheritdoc />
    public void Generate(ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, Span<float> pixels, IProgress<GenerationProgress>? progress = null) =>
        Generate(labels, seeds, pixels, progress, CancellationToken.None);

    /// <inheritdoc />
    public void Generate(ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, Span<float> pixels, IProgress<GenerationProgress>? progress, CancellationToken cancellationToken)
    {
        int n = labels.Length, source = inner.Height * inner.Width, target = Height * Width;
        if (pixels.Length < (long)n * Channels * target)
            throw new ArgumentException($"{n} images of {Channels}×{Height}×{Width} need {(long)n * Channels * target} values; the buffer holds {pixels.Length}", nameof(pixels));
        var buffer = new float[n * Channels * source];
        inner.Generate(labels, seeds, buffer, progress, cancellationToken);
        for (int plane = 0; plane < n * Channels; plane++)
            Resize(buffer.AsSpan(plane * source, source), inner.Height, inner.Width, pixels.Slice(plane * target, target), Height, Width);
    }

    /// <summary>Bilinear resize of one plane.</summary>
    public static void Resize(ReadOnlySpan<float> src, int sh, int sw, Span<float> dst, int dh, int dw)
    {
        for (int y = 0; y < dh; y++)
        {
            double fy = Math.Max((y + 0.5) * sh / dh - 0.5, 0);
            int y0 = Math.Min((int)fy, sh - 1), y1 = Math.Min(y0 + 1, sh - 1);
            double wy = fy - y0;
            for (int x = 0; x < dw; x++)
            {
                double fx = Math.Max((x + 0.5) * sw / dw - 0.5, 0);
                int x0 = Math.Min((int)fx, sw - 1), x1 = Math.Min(x0 + 1, sw - 1);
                double wx = fx - x0;
                double top = src[y0 * sw + x0] * (1 - wx) + src[y0 * sw + x1] * wx;
                double bottom = src[y1 * sw + x0] * (1 - wx) + src[y1 * sw + x1] * wx;
                dst[y * dw + x] = (float)(top * (1 - wy) + bottom * wy);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => (inner as IDisposable)?.Dispose();
}
