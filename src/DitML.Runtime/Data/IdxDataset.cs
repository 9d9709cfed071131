using System.Buffers.Binary;
using System.IO.Compression;

namespace DitML.Data;

/// <summary>
/// MNIST-format (IDX) images and labels, as Fashion-MNIST and MNIST ship them: <c>train-images-idx3-ubyte[.gz]</c>,
/// <c>train-labels-idx1-ubyte[.gz]</c> and the <c>t10k-</c> pair. Debian's dataset-fashion-mnist installs them under
/// <see cref="FashionMnist.DefaultDirectory"/>.
/// </summary>
public sealed class IdxDataset : IImageDataset
{
    private readonly byte[] images;
    private readonly byte[] labels;

    private IdxDataset(byte[] images, byte[] labels, int count, int height, int width, int classes)
    {
        this.images = images;
        this.labels = labels;
        Count = count;
        Height = height;
        Width = width;
        ClassCount = classes;
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public int Channels => 1;

    /// <inheritdoc />
    public int Height { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <summary>The label of image <paramref name="index"/>.</summary>
    public int Label(int index) => labels[index];

    /// <summary>The raw bytes of image <paramref name="index"/> (H×W, 0 = black).</summary>
    public ReadOnlySpan<byte> Bytes(int index) => images.AsSpan(index * Height * Width, Height * Width);

    /// <inheritdoc />
    public int Read(int index, Span<float> pixels)
    {
        var src = Bytes(index);
        for (int i = 0; i < src.Length; i++) pixels[i] = src[i] / 127.5f - 1f;
        return labels[index];
    }

    /// <summary>Loads the "train" or "t10k" split from <paramref name="directory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder is missing.</exception>
    /// <exception cref="FileNotFoundException">A file of the split is missing (named).</exception>
    /// <exception cref="InvalidDataException">A file is not IDX, is truncated, or the counts disagree (named).</exception>
    public static IdxDataset Load(string directory, string split = "train")
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"dataset folder not found: {directory} (install Debian's dataset-fashion-mnist, or give a folder with the four IDX .gz files)");
        if (split is not ("train" or "t10k")) throw new ArgumentException($"split must be 'train' or 't10k', got '{split}'", nameof(split));
        var (imageBytes, imagePath) = ReadFile(directory, $"{split}-images-idx3-ubyte");
        var (labelBytes, labelPath) = ReadFile(directory, $"{split}-labels-idx1-ubyte");
        if (imageBytes.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(imageBytes) != 0x803)
            throw new InvalidDataException($"{imagePath}: not an IDX image file (magic 0x00000803 expected)");
        if (labelBytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(labelBytes) != 0x801)
            throw new InvalidDataException($"{labelPath}: not an IDX label file (magic 0x00000801 expected)");
        int count = BinaryPrimitives.ReadInt32BigEndian(imageBytes.AsSpan(4));
        int height = BinaryPrimitives.ReadInt32BigEndian(imageBytes.AsSpan(8)), width = BinaryPrimitives.ReadInt32BigEndian(imageBytes.AsSpan(12));
        int labelCount = BinaryPrimitives.ReadInt32BigEndian(labelBytes.AsSpan(4));
        if (count != labelCount)
            throw new InvalidDataException($"{imagePath} has {count} images but {labelPath} has {labelCount} labels");
        if (imageBytes.Length - 16L != (long)count * height * width)
            throw new InvalidDataException($"{imagePath}: {count} images of {height}×{width} need {(long)count * height * width} bytes, the file has {imageBytes.Length - 16} (truncated?)");
        if (labelBytes.Length - 8 != count)
            throw new InvalidDataException($"{labelPath}: {count} labels expected, the file has {labelBytes.Length - 8} (truncated?)");
        var pixels = imageBytes[16..];
        var labels = labelBytes[8..];
        return new IdxDataset(pixels, labels, count, height, width, labels.Length == 0 ? 0 : labels.Max() + 1);
    }

    private static (byte[] Bytes, string Path) ReadFile(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(directory, candidate);
            if (!File.Exists(path)) continue;
            try
            {
                using var file = File.OpenRead(path);
                using Stream stream = candidate.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                return (memory.ToArray(), path);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: corrupt gzip data: {e.Message}", e);
            }
        }
        throw new FileNotFoundException($"{Path.Combine(directory, name)}(.gz) not found", Path.Combine(directory, name + ".gz"));
    }
}
