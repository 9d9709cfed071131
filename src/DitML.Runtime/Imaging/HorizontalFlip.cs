namespace DitML.Imaging;

/// <summary>Mirrors tensors left ↔ right in place (the augmentation DiT trains with).</summary>
public static class HorizontalFlip
{
    /// <summary>Reverses every row of a (C, H, W) tensor in place.</summary>
    public static void InPlace<T>(Span<T> chw, int channels, int height, int width)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Shape ({channels}, {height}, {width}) must be positive.");
        if (chw.Length != (long)channels * height * width)
            throw new ArgumentException($"Tensor holds {chw.Length} elements, shape ({channels}, {height}, {width}) needs {(long)channels * height * width}.", nameof(chw));
        for (int row = 0; row < channels * height; row++) chw.Slice(row * width, width).Reverse();
    }
}
