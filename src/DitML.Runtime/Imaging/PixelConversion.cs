namespace DitML.Imaging;

/// <summary>Conversions between model pixels (float in [−1, 1], C×H×W) and 8-bit images.</summary>
public static class PixelConversion
{
    /// <summary>uint8 = clamp(127.5·x + 128, 0, 255), truncated — the official DiT sampler's conversion.</summary>
    public static byte ToByte(float x) => (byte)Math.Clamp(127.5f * x + 128f, 0f, 255f);

    /// <summary>One C×H×W image in [−1, 1] to H×W×C bytes.</summary>
    public static void ToHwc(ReadOnlySpan<float> chw, int channels, int height, int width, Span<byte> hwc)
    {
        int plane = height * width;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < plane; i++) hwc[i * channels + c] = ToByte(chw[c * plane + i]);
    }
}
