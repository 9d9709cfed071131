using System.Globalization;
using DitML.Imaging;

namespace DitML.Data;

/// <summary>
/// An MNIST-style dataset (MNIST, Fashion-MNIST, KMNIST…) read from IDX files: grayscale images kept as bytes
/// (N·H·W, row-major) and one label byte per image. Items are served as (1, H, W) floats in [−1, 1].
/// </summary>
public sealed class IdxDataset : IImageDataset
{
    /// <summary>
    /// Wraps images and labels already in memory (not copied). <paramref name="images"/> holds labels.Length·H·W bytes;
    /// every label must be below the number of <paramref name="classNames"/>.
    /// </summary>
    public IdxDataset(byte[] images, byte[] labels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"Image size must be positive, got {height}×{width}.");
        if (labels.Length == 0) throw new ArgumentException("A dataset needs at least one item; labels is empty.", nameof(labels));
        if (images.LongLength != (long)labels.Length * height * width)
            throw new ArgumentException($"{labels.Length} images of {height}×{width} need {(long)labels.Length * height * width} bytes, got {images.LongLength}.", nameof(images));
        if (classNames.Count == 0) throw new ArgumentException("classNames is empty.", nameof(classNames));
        int bad = Array.FindIndex(labels, l => l >= classNames.Count);
        if (bad >= 0) throw new ArgumentException($"Label {labels[bad]} of item {bad} is out of range for {classNames.Count} classes.", nameof(labels));
        Images = images;
        Labels = labels;
        Height = height;
        Width = width;
        ClassNames = classNames;
    }

    /// <summary>All images, N·H·W bytes: image i starts at i·H·W.</summary>
    public byte[] Images { get; }

    /// <summary>One label per image.</summary>
    public byte[] Labels { get; }

    /// <inheritdoc/>
    public int Count => Labels.Length;

    /// <inheritdoc/>
    public int ClassCount => ClassNames.Count;

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Always 1: IDX image files are grayscale.</summary>
    public int Channels => 1;

    /// <inheritdoc/>
    public int Height { get; }

    /// <inheritdoc/>
    public int Width { get; }

    /// <summary>The usual file name (without <c>.gz</c>) of a split's images, e.g. <c>train-images-idx3-ubyte</c>.</summary>
    public static string ImagesFileName(IdxSplit split) => Prefix(split) + "-images-idx3-ubyte";

    /// <summary>The usual file name (without <c>.gz</c>) of a split's labels, e.g. <c>t10k-labels-idx1-ubyte</c>.</summary>
    public static string LabelsFileName(IdxSplit split) => Prefix(split) + "-labels-idx1-ubyte";

    /// <summary>
    /// Loads a split from a folder holding the standard file names, each gzip-compressed (<c>.gz</c>) or not.
    /// Without <paramref name="classNames"/> the classes are named "0", "1", … up to the largest label.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing (the message lists the names tried).</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or the image and label counts differ.</exception>
    public static IdxDataset Load(string directory, IdxSplit split, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"IDX dataset folder '{directory}' does not exist.");
        return LoadFiles(Find(directory, ImagesFileName(split)), Find(directory, LabelsFileName(split)), classNames);
    }

    /// <summary>Loads an image file (idx3-ubyte) and its label file (idx1-ubyte), either possibly gzip-compressed.</summary>
    public static IdxDataset LoadFiles(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null)
    {
        var images = IdxFile.Read(imagesPath, 3);
        var labels = IdxFile.Read(labelsPath, 1);
        int count = images.Dimensions[0];
        if (labels.Dimensions[0] != count)
            throw new InvalidDataException($"Image file '{imagesPath}' holds {count} images but label file '{labelsPath}' holds {labels.Dimensions[0]} labels.");
        int maxLabel = labels.Data.Max();
        if (classNames is null)
            classNames = Enumerable.Range(0, maxLabel + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        else if (maxLabel >= classNames.Count)
            throw new InvalidDataException($"Label file '{labelsPath}' contains label {maxLabel}, but only {classNames.Count} classes are named.");
        return new IdxDataset(images.Data, labels.Data, images.Dimensions[1], images.Dimensions[2], classNames);
    }

    /// <inheritdoc/>
    public int GetLabel(int index) => Labels[CheckIndex(index)];

    /// <inheritdoc/>
    public void CopyImage(int index, Span<float> destination)
    {
        int size = Height * Width;
        if (destination.Length != size)
            throw new ArgumentException($"Destination holds {destination.Length} floats, an item (1, {Height}, {Width}) needs {size}.", nameof(destination));
        PixelConversion.ToFloats(Images.AsSpan(CheckIndex(index) * size, size), destination);
    }

    /// <inheritdoc/>
    public (float[] Pixels, int Label) GetItem(int index)
    {
        var pixels = new float[Height * Width];
        CopyImage(index, pixels);
        return (pixels, GetLabel(index));
    }

    /// <summary>Item <paramref name="index"/> as a grayscale 8-bit image (a copy), e.g. for previews.</summary>
    public ByteImage GetByteImage(int index)
    {
        int size = Height * Width;
        return new ByteImage(Width, Height, 1, Images.AsSpan(CheckIndex(index) * size, size).ToArray());
    }

    /// <summary>All items as one (N, 1, H, W) float array in [−1, 1] (4·N·H·W bytes: 188 MB for the 60,000 training images).</summary>
    public float[] ToFloatArray()
    {
        var result = new float[Images.Length];
        PixelConversion.ToFloats(Images, result);
        return result;
    }

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Item index must be in 0 … {Count - 1}.");
        return index;
    }

    private static string Prefix(IdxSplit split) => split switch
    {
        IdxSplit.Train => "train",
        IdxSplit.Test => "t10k",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
    };

    private static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"IDX dataset folder '{directory}' has neither '{name}.gz' nor '{name}'.", Path.Combine(directory, name + ".gz"));
    }
}
