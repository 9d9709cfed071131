using DitML.Generation;
using DitML.Imaging;
using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>Turns generated C×H×W pixels in [−1, 1] into opaque RGBA MLImages (grayscale is replicated to RGB).</summary>
internal static class GeneratedImages
{
    public static MLImage ToImage(ReadOnlySpan<float> chw, int channels, int height, int width)
    {
        int plane = height * width;
        var rgba = new byte[plane * 4];
        for (int i = 0; i < plane; i++)
        {
            byte r = PixelConversion.ToByte(chw[i]);
            rgba[4 * i] = r;
            rgba[4 * i + 1] = channels >= 3 ? PixelConversion.ToByte(chw[plane + i]) : r;
            rgba[4 * i + 2] = channels >= 3 ? PixelConversion.ToByte(chw[2 * plane + i]) : r;
            rgba[4 * i + 3] = 255;
        }
        return MLImage.CreateFromPixels(width, height, MLPixelFormat.Rgba32, rgba);
    }

    /// <summary>Copies pixels, clamping to [−1, 1] (the range the Pixels column promises).</summary>
    public static void ClampInto(ReadOnlySpan<float> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++) destination[i] = Math.Clamp(source[i], -1f, 1f);
    }

    public static int PixelCount(IImageGenerator g) => g.Channels * g.Height * g.Width;
}
