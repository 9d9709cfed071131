namespace DitML.Imaging;

/// <summary>
/// The center crop of ADM and DiT (<c>center_crop_arr</c>), reproduced bit-exactly: while the short side is at least twice
/// the target, halve the image (floor of each side) with a box filter; then resize bicubically so the short side equals
/// the target (sides rounded half-to-even, as Python's <c>round</c>); then cut the centered square, offsets floored.
/// Halving first keeps the bicubic step from aliasing at large shrink factors and makes it cheap.
/// </summary>
public static class DiTCenterCrop
{
    /// <summary>Returns the <paramref name="size"/>×<paramref name="size"/> crop of <paramref name="image"/>.</summary>
    public static ByteImage Apply(ByteImage image, int size)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Crop size must be positive.");
        while (Math.Min(image.Width, image.Height) >= 2 * size)
            image = Resampler.Resize(image, image.Width / 2, image.Height / 2, ResampleFilter.Box);

        double scale = (double)size / Math.Min(image.Width, image.Height);
        int width = (int)Math.Round(image.Width * scale, MidpointRounding.ToEven);
        int height = (int)Math.Round(image.Height * scale, MidpointRounding.ToEven);
        image = Resampler.Resize(image, width, height, ResampleFilter.Bicubic);

        if (width == size && height == size) return image;
        return image.Crop((width - size) / 2, (height - size) / 2, size, size);
    }
}
