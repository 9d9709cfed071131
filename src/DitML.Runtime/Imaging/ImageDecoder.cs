using SkiaSharp;

namespace DitML.Imaging;

/// <summary>
/// Decodes image files (PNG, JPEG, and whatever else SkiaSharp reads: BMP, GIF, WebP) into <see cref="ByteImage"/>s,
/// the way PIL's <c>Image.open(f).convert("RGB")</c> (or <c>"L"</c>) sees them: no color-profile conversion, alpha
/// dropped rather than composited, grayscale from RGB by PIL's luma. Truncated or corrupt files are errors, never
/// partially decoded pictures.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes the file at <paramref name="path"/> into 1 (grayscale) or 3 (RGB) channels.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image, or is truncated/corrupt; the message names the file.</exception>
    public static ByteImage Decode(string path, int channels = 3)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"Image file '{path}' cannot be read: {e.Message}", e);
        }
        return Decode(bytes, channels, path);
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="sourceName"/> names it in error messages.</summary>
    public static unsafe ByteImage Decode(ReadOnlySpan<byte> encoded, int channels = 3, string sourceName = "image")
    {
        if (channels != 1 && channels != 3)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grayscale) or 3 (RGB).");
        if (encoded.IsEmpty) throw new InvalidDataException($"Image '{sourceName}' is empty (0 bytes).");
        fixed (byte* data = encoded)
        {
            using var skData = SKData.Create((IntPtr)data, encoded.Length);
            // The codec takes ownership of the stream (and disposes it with itself).
            var stream = new SKMemoryStream(skData);
            using var codec = SKCodec.Create(stream, out var created);
            if (codec is null)
            {
                stream.Dispose();
                throw new InvalidDataException($"Image '{sourceName}' is not a readable PNG/JPEG/BMP/GIF/WebP file (SkiaSharp: {created}).");
            }
            int width = codec.Info.Width, height = codec.Info.Height;
            if (width <= 0 || height <= 0)
                throw new InvalidDataException($"Image '{sourceName}' has an empty size {width}×{height}.");
            // Unpremultiplied RGBA without a color space: Skia then neither applies embedded ICC profiles nor
            // multiplies colors by alpha, so the RGB values are the stored ones, as PIL returns them.
            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            var rgba = new byte[checked(width * height * 4)];
            SKCodecResult result;
            fixed (byte* pixels = rgba) result = codec.GetPixels(info, (IntPtr)pixels);
            if (result != SKCodecResult.Success)
                throw new InvalidDataException($"Image '{sourceName}' ({width}×{height}) is truncated or corrupt (SkiaSharp: {result}).");
            var rgb = new byte[width * height * 3];
            for (int i = 0, n = width * height; i < n; i++)
            {
                rgb[3 * i] = rgba[4 * i];
                rgb[3 * i + 1] = rgba[4 * i + 1];
                rgb[3 * i + 2] = rgba[4 * i + 2];
            }
            return new ByteImage(width, height, 3, rgb).ToChannels(channels);
        }
    }
}
