namespace DitML.Imaging;

/// <summary>
/// An 8-bit image with interleaved channels (HWC, row-major): 1 channel (grayscale) or 3 (RGB).
/// The form images are decoded into, resampled in and encoded from; <see cref="PixelConversion"/> turns it into the
/// float CHW tensors in [−1, 1] the models see.
/// </summary>
public sealed class ByteImage
{
    /// <summary>Wraps existing pixels (not copied): <paramref name="pixels"/> holds height·width·channels bytes in HWC order.</summary>
    public ByteImage(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        CheckGeometry(width, height, channels);
        long expected = (long)width * height * channels;
        if (pixels.LongLength != expected)
            throw new ArgumentException($"A {width}×{height} image with {channels} channel(s) needs {expected} bytes, got {pixels.LongLength}.", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    /// <summary>Creates a black image.</summary>
    public ByteImage(int width, int height, int channels)
        : this(width, height, channels, new byte[CheckGeometry(width, height, channels)])
    {
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Channels per pixel: 1 (grayscale) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>The pixels, HWC row-major: the value of channel c at (x, y) is at (y·Width + x)·Channels + c.</summary>
    public byte[] Pixels { get; }

    /// <summary>The value of one channel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public byte this[int x, int y, int channel = 0] => Pixels[((y * Width) + x) * Channels + channel];

    /// <summary>
    /// This image with <paramref name="channels"/> channels: RGB → grayscale uses PIL's <c>convert("L")</c> luma
    /// (L = (19595·R + 38470·G + 7471·B + 2¹⁵) » 16, i.e. ITU-R 601-2 weights 0.299/0.587/0.114 in fixed point, so a
    /// gray RGB pixel keeps its value); grayscale → RGB repeats the value. Returns this instance when nothing changes.
    /// </summary>
    public ByteImage ToChannels(int channels)
    {
        if (channels != 1 && channels != 3)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grayscale) or 3 (RGB).");
        if (channels == Channels) return this;
        int n = Width * Height;
        var result = new byte[n * channels];
        var src = Pixels;
        if (channels == 1)
        {
            for (int i = 0; i < n; i++)
                result[i] = (byte)((src[3 * i] * 19595 + src[3 * i + 1] * 38470 + src[3 * i + 2] * 7471 + 0x8000) >> 16);
        }
        else
        {
            for (int i = 0; i < n; i++)
                result[3 * i] = result[3 * i + 1] = result[3 * i + 2] = src[i];
        }
        return new ByteImage(Width, Height, channels, result);
    }

    /// <summary>A copy of the rectangle starting at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public ByteImage Crop(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(width), $"Crop ({x}, {y}, {width}×{height}) does not fit inside the {Width}×{Height} image.");
        var result = new ByteImage(width, height, Channels);
        int rowBytes = width * Channels;
        for (int row = 0; row < height; row++)
            Pixels.AsSpan(((y + row) * Width + x) * Channels, rowBytes).CopyTo(result.Pixels.AsSpan(row * rowBytes, rowBytes));
        return result;
    }

    /// <summary>A mirrored copy (left ↔ right).</summary>
    public ByteImage FlipHorizontal()
    {
        var result = new ByteImage(Width, Height, Channels);
        int c = Channels;
        for (int y = 0; y < Height; y++)
        {
            int row = y * Width * c;
            for (int x = 0; x < Width; x++)
                Pixels.AsSpan(row + x * c, c).CopyTo(result.Pixels.AsSpan(row + (Width - 1 - x) * c, c));
        }
        return result;
    }

    /// <summary>The image as a float CHW tensor (C, H, W) in [−1, 1] (x/127.5 − 1).</summary>
    public float[] ToChw()
    {
        var result = new float[Pixels.Length];
        PixelConversion.HwcBytesToChw(Pixels, result, Channels, Height, Width);
        return result;
    }

    /// <summary>
    /// Quantizes a float CHW tensor (C, H, W) in [−1, 1] the way the DiT sampler does
    /// (<see cref="PixelConversion.ToByte"/>: clamp(127.5·x + 128, 0, 255), truncated).
    /// </summary>
    public static ByteImage FromChw(ReadOnlySpan<float> chw, int channels, int height, int width)
    {
        var image = new ByteImage(width, height, channels);
        PixelConversion.ChwToHwcBytes(chw, image.Pixels, channels, height, width);
        return image;
    }

    private static int CheckGeometry(int width, int height, int channels)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size must be positive, got {width}×{height}.");
        if (channels != 1 && channels != 3)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grayscale) or 3 (RGB).");
        return checked(width * height * channels);
    }
}
