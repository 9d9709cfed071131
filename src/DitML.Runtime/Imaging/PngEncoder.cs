using SkiaSharp;

namespace DitML.Imaging;

/// <summary>
/// Writes <see cref="ByteImage"/>s as PNG through SkiaSharp: 8-bit grayscale or RGB, fully opaque, no color profile,
/// so reading the file back (with <see cref="ImageDecoder"/>, PIL or anything else) returns the same bytes.
/// </summary>
public static class PngEncoder
{
    /// <summary>The PNG file bytes of <paramref name="image"/>.</summary>
    public static unsafe byte[] Encode(ByteImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height;
        byte[] pixels;
        SKImageInfo info;
        if (image.Channels == 1)
        {
            pixels = image.Pixels;
            info = new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque);
        }
        else
        {
            // Skia has no packed 24-bit type; opaque RGBA makes its encoder write a 3-channel PNG.
            pixels = new byte[w * h * 4];
            var src = image.Pixels;
            for (int i = 0, n = w * h; i < n; i++)
            {
                pixels[4 * i] = src[3 * i];
                pixels[4 * i + 1] = src[3 * i + 1];
                pixels[4 * i + 2] = src[3 * i + 2];
                pixels[4 * i + 3] = 255;
            }
            info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        }
        fixed (byte* p = pixels)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)p, info.RowBytes);
            using var data = pixmap.Encode(SKEncodedImageFormat.Png, 100)
                ?? throw new InvalidOperationException($"SkiaSharp could not encode a {w}×{h} {image.Channels}-channel image as PNG.");
            return data.ToArray();
        }
    }

    /// <summary>Writes <paramref name="image"/> as PNG to <paramref name="stream"/>.</summary>
    public static void Write(ByteImage image, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Encode(image));
    }

    /// <summary>
    /// Writes <paramref name="image"/> as a PNG file, creating the folder if needed. The file appears complete or not
    /// at all: it is written next to the target under a temporary name and then renamed over it.
    /// </summary>
    public static void Write(ByteImage image, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = Encode(image);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        var temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
