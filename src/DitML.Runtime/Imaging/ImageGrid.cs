using SkiaSharp;

namespace DitML.Imaging;

/// <summary>Writes images as one PNG grid: a row per <paramref name="columns"/> images, 2 px black padding (as torchvision's make_grid).</summary>
public static class ImageGrid
{
    /// <summary>Padding between and around images, in pixels.</summary>
    public const int Padding = 2;

    /// <summary>
    /// Saves N images, (N, C, H, W) floats in [−1, 1] with C = 1 (gray) or 3 (RGB), as an opaque PNG with
    /// <paramref name="columns"/> images per row; <paramref name="scale"/> enlarges each pixel (nearest) for small images.
    /// </summary>
    public static void SavePng(string path, ReadOnlySpan<float> images, int count, int channels, int height, int width, int columns, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (channels is not (1 or 3)) throw new ArgumentException($"images must have 1 or 3 channels, got {channels}", nameof(channels));
        if (count <= 0 || columns <= 0 || scale <= 0) throw new ArgumentException("count, columns and scale must be positive");
        int rows = (count + columns - 1) / columns, h = height * scale, w = width * scale;
        int gridW = columns * (w + Padding) + Padding, gridH = rows * (h + Padding) + Padding;
        using var bitmap = new SKBitmap(new SKImageInfo(gridW, gridH, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(SKColors.Black);
        int plane = height * width;
        for (int n = 0; n < count; n++)
        {
            var image = images.Slice(n * channels * plane, channels * plane);
            int x0 = Padding + n % columns * (w + Padding), y0 = Padding + n / columns * (h + Padding);
            for (int yy = 0; yy < h; yy++)
            {
                for (int xx = 0; xx < w; xx++)
                {
                    int i = yy / scale * width + xx / scale;
                    byte r = PixelConversion.ToByte(image[i]);
                    byte g = channels == 3 ? PixelConversion.ToByte(image[plane + i]) : r;
                    byte b = channels == 3 ? PixelConversion.ToByte(image[2 * plane + i]) : r;
                    bitmap.SetPixel(x0 + xx, y0 + yy, new SKColor(r, g, b, 255));
                }
            }
        }
        string temp = path + ".partial";
        using (var file = File.Create(temp))
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
            data.SaveTo(file);
        File.Move(temp, path, overwrite: true);
    }
}
