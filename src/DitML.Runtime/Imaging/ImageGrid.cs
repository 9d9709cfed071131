namespace DitML.Imaging;

/// <summary>
/// Tiles equally sized images into one picture with the geometry of torchvision's <c>make_grid</c>: at most
/// <c>columns</c> images per row, rows = ⌈n / columns⌉, every tile preceded by <c>padding</c> pixels on the left and
/// top and the whole grid closed by <c>padding</c> on the right and bottom. Image k sits at
/// x = (k mod cols)·(W + padding) + padding, y = (k div cols)·(H + padding) + padding. Unlike make_grid, grayscale stays
/// one channel.
/// </summary>
public static class ImageGrid
{
    /// <summary>Tiles <paramref name="images"/> (same size and channel count) row by row.</summary>
    public static ByteImage Compose(IReadOnlyList<ByteImage> images, int columns = 8, int padding = 2, byte padValue = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("A grid needs at least one image.", nameof(images));
        if (columns <= 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be positive.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must not be negative.");
        var first = images[0] ?? throw new ArgumentException("Image 0 is null.", nameof(images));
        int w = first.Width, h = first.Height, c = first.Channels;
        for (int k = 1; k < images.Count; k++)
        {
            var im = images[k] ?? throw new ArgumentException($"Image {k} is null.", nameof(images));
            if (im.Width != w || im.Height != h || im.Channels != c)
                throw new ArgumentException($"Image {k} is {im.Width}×{im.Height}×{im.Channels} but image 0 is {w}×{h}×{c}; grid tiles must match.", nameof(images));
        }

        int cols = Math.Min(columns, images.Count);
        int rows = (images.Count + cols - 1) / cols;
        int cellW = w + padding, cellH = h + padding;
        var grid = new ByteImage(cols * cellW + padding, rows * cellH + padding, c);
        if (padValue != 0) grid.Pixels.AsSpan().Fill(padValue);
        int tileRow = w * c, gridRow = grid.Width * c;
        for (int k = 0; k < images.Count; k++)
        {
            int x0 = (k % cols) * cellW + padding, y0 = (k / cols) * cellH + padding;
            var src = images[k].Pixels;
            for (int y = 0; y < h; y++)
                src.AsSpan(y * tileRow, tileRow).CopyTo(grid.Pixels.AsSpan((y0 + y) * gridRow + x0 * c, tileRow));
        }
        return grid;
    }

    /// <summary>
    /// Tiles the first <paramref name="count"/> images of a float batch (N, C, H, W) in [−1, 1], quantized with
    /// <see cref="PixelConversion.ToByte"/> (the sampler's conversion).
    /// </summary>
    public static ByteImage FromBatch(ReadOnlySpan<float> batch, int count, int channels, int height, int width,
        int columns = 8, int padding = 2, byte padValue = 0)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be positive.");
        long item = (long)channels * height * width;
        if (channels <= 0 || height <= 0 || width <= 0 || batch.Length < count * item)
            throw new ArgumentException($"Batch holds {batch.Length} values, {count} images of ({channels}, {height}, {width}) need {count * item}.", nameof(batch));
        var images = new ByteImage[count];
        for (int k = 0; k < count; k++)
            images[k] = ByteImage.FromChw(batch.Slice((int)(k * item), (int)item), channels, height, width);
        return Compose(images, columns, padding, padValue);
    }

    /// <summary>
    /// Saves a float batch as one PNG grid (columns images per row, 2-px black padding), each pixel enlarged
    /// <paramref name="scale"/> times (nearest) so small images can be seen. Written atomically.
    /// </summary>
    public static void SavePng(string path, ReadOnlySpan<float> images, int count, int channels, int height, int width, int columns, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (scale <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be positive.");
        var grid = FromBatch(images, count, channels, height, width, columns);
        PngEncoder.Write(scale == 1 ? grid : Enlarge(grid, scale), path);
    }

    private static ByteImage Enlarge(ByteImage image, int scale)
    {
        var result = new ByteImage(image.Width * scale, image.Height * scale, image.Channels);
        for (int y = 0; y < result.Height; y++)
            for (int x = 0; x < result.Width; x++)
                for (int c = 0; c < image.Channels; c++)
                    result.Pixels[(y * result.Width + x) * image.Channels + c] = image[x / scale, y / scale, c];
        return result;
    }
}
