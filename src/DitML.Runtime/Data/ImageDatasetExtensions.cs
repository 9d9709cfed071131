namespace DitML.Data;

/// <summary>Copying several items of an <see cref="IImageDataset"/> at once, as a batch (N, C, H, W).</summary>
public static class ImageDatasetExtensions
{
    /// <summary>Writes items <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1 into <paramref name="destination"/> as (count, C, H, W).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range leaves the dataset.</exception>
    /// <exception cref="ArgumentException">The destination holds fewer than count·C·H·W values.</exception>
    public static void CopyImages(this IImageDataset data, int start, int count, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, data.Count - count);
        int plane = Plane(data, count, destination);
        for (int i = 0; i < count; i++) data.CopyImage(start + i, destination.Slice(i * plane, plane));
    }

    /// <summary>Writes the items at <paramref name="indices"/>, in that order, into <paramref name="destination"/> as (N, C, H, W).</summary>
    /// <exception cref="ArgumentException">The destination holds fewer than N·C·H·W values.</exception>
    public static void CopyImages(this IImageDataset data, ReadOnlySpan<int> indices, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(data);
        int plane = Plane(data, indices.Length, destination);
        for (int i = 0; i < indices.Length; i++) data.CopyImage(indices[i], destination.Slice(i * plane, plane));
    }

    private static int Plane(IImageDataset data, int count, Span<float> destination)
    {
        int plane = data.Channels * data.Height * data.Width;
        if (destination.Length < (long)count * plane)
            throw new ArgumentException($"{count} images of ({data.Channels}, {data.Height}, {data.Width}) need {(long)count * plane} values; the destination holds {destination.Length}", nameof(destination));
        return plane;
    }
}
