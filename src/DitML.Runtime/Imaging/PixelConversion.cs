namespace DitML.Imaging;

/// <summary>
/// Conversions between model tensors (float, [−1, 1]) and 8-bit pixels, and between the CHW layout of tensors and the
/// HWC layout of image files.
/// </summary>
public static class PixelConversion
{
    /// <summary>
    /// Quantizes one value exactly like the DiT sampler's <c>torch.clamp(127.5 * x + 128.0, 0, 255).to(torch.uint8)</c>:
    /// float32 arithmetic, clamp, then truncation toward zero. So −1 → 0, 0 → 128, 1 → 255 (255.5 clamped), and a value
    /// made by <see cref="ToFloat"/> maps back to the same byte. NaN maps to 0.
    /// </summary>
    public static byte ToByte(float x)
    {
        // Two separate float32 roundings as in PyTorch's elementwise mul then add (no fused multiply-add).
        float scaled = 127.5f * x;
        float v = scaled + 128f;
        if (!(v > 0f)) return 0; // also NaN
        if (v >= 255f) return 255;
        return (byte)v;
    }

    /// <summary>Maps a byte to [−1, 1] as DiT's training transform does: x/127.5 − 1 (0 → −1, 255 → 1).</summary>
    public static float ToFloat(byte value) => value / 127.5f - 1f;

    /// <summary>Applies <see cref="ToByte"/> elementwise; both spans have the same length.</summary>
    public static void ToBytes(ReadOnlySpan<float> source, Span<byte> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++) destination[i] = ToByte(source[i]);
    }

    /// <summary>Applies <see cref="ToFloat"/> elementwise; both spans have the same length.</summary>
    public static void ToFloats(ReadOnlySpan<byte> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++) destination[i] = ToFloat(source[i]);
    }

    /// <summary>Reorders (C, H, W) into (H, W, C).</summary>
    public static void ChwToHwc<T>(ReadOnlySpan<T> chw, Span<T> hwc, int channels, int height, int width)
    {
        int plane = CheckLayout(chw.Length, hwc.Length, channels, height, width);
        for (int c = 0; c < channels; c++)
        {
            var src = chw.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++) hwc[i * channels + c] = src[i];
        }
    }

    /// <summary>Reorders (H, W, C) into (C, H, W).</summary>
    public static void HwcToChw<T>(ReadOnlySpan<T> hwc, Span<T> chw, int channels, int height, int width)
    {
        int plane = CheckLayout(hwc.Length, chw.Length, channels, height, width);
        for (int c = 0; c < channels; c++)
        {
            var dst = chw.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++) dst[i] = hwc[i * channels + c];
        }
    }

    /// <summary>Float (C, H, W) in [−1, 1] → bytes (H, W, C) with <see cref="ToByte"/>, in one pass.</summary>
    public static void ChwToHwcBytes(ReadOnlySpan<float> chw, Span<byte> hwc, int channels, int height, int width)
    {
        int plane = CheckLayout(chw.Length, hwc.Length, channels, height, width);
        for (int c = 0; c < channels; c++)
        {
            var src = chw.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++) hwc[i * channels + c] = ToByte(src[i]);
        }
    }

    /// <summary>Bytes (H, W, C) → float (C, H, W) in [−1, 1] with <see cref="ToFloat"/>, in one pass.</summary>
    public static void HwcBytesToChw(ReadOnlySpan<byte> hwc, Span<float> chw, int channels, int height, int width)
    {
        int plane = CheckLayout(hwc.Length, chw.Length, channels, height, width);
        for (int c = 0; c < channels; c++)
        {
            var dst = chw.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++) dst[i] = ToFloat(hwc[i * channels + c]);
        }
    }

    private static void CheckLengths(int source, int destination)
    {
        if (source != destination)
            throw new ArgumentException($"Destination holds {destination} elements but the source has {source}.", nameof(destination));
    }

    private static int CheckLayout(int source, int destination, int channels, int height, int width)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Shape ({channels}, {height}, {width}) must be positive.");
        long n = (long)channels * height * width;
        if (source != n)
            throw new ArgumentException($"Source holds {source} elements, shape ({channels}, {height}, {width}) needs {n}.", "source");
        if (destination != n)
            throw new ArgumentException($"Destination holds {destination} elements, shape ({channels}, {height}, {width}) needs {n}.", nameof(destination));
        return height * width;
    }
}
