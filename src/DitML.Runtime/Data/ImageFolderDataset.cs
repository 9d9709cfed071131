using DitML.Imaging;
using SkiaSharp;

namespace DitML.Data;

/// <summary>
/// Images stored one folder per class (<c>root/&lt;class&gt;/**/*.png|jpg…</c>), labelled like torchvision's
/// <c>ImageFolder</c>: class folders sorted ordinally get labels 0, 1, …; files are taken folder by folder (folders in
/// ordinal path order, files in ordinal name order, subfolders included). Each image is decoded (SkiaSharp), converted to
/// RGB or grayscale, center-cropped with <see cref="DiTCenterCrop"/> and served as (C, S, S) floats in [−1, 1].
/// Random flipping is left to the trainers (<c>TrainerOptions.HorizontalFlip</c>), so items are deterministic.
/// Folder names starting with '.' (e.g. <c>.ipynb_checkpoints</c>) are not classes.
/// </summary>
public sealed class ImageFolderDataset : IImageDataset
{
    private readonly ImageFolderSample[] _samples;
    private readonly byte[]?[]? _cache;

    private ImageFolderDataset(string root, string[] classNames, ImageFolderSample[] samples, ImageFolderOptions options)
    {
        Root = root;
        ClassNames = Array.AsReadOnly(classNames);
        _samples = samples;
        Options = options;
        _cache = options.CacheImages ? new byte[]?[samples.Length] : null;
    }

    /// <summary>The root folder (full path).</summary>
    public string Root { get; }

    /// <summary>The options in effect.</summary>
    public ImageFolderOptions Options { get; }

    /// <summary>All image files with their labels, in item order.</summary>
    public IReadOnlyList<ImageFolderSample> Samples => _samples;

    /// <inheritdoc/>
    public int Count => _samples.Length;

    /// <inheritdoc/>
    public int ClassCount => ClassNames.Count;

    /// <summary>The class folder names, sorted ordinally; index = label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc/>
    public int Channels => Options.Channels;

    /// <inheritdoc/>
    public int Height => Options.ImageSize;

    /// <inheritdoc/>
    public int Width => Options.ImageSize;

    /// <summary>Scans <paramref name="root"/> and returns the dataset; nothing is returned unless the whole folder is valid.</summary>
    /// <exception cref="DirectoryNotFoundException">The root folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No class folders, a class folder without images, or (with <see cref="ImageFolderOptions.VerifyOnOpen"/>) a file that is not a readable image; the message names it.</exception>
    public static ImageFolderDataset Open(string root, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new ImageFolderOptions();
        options.Validate();
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");

        var classNames = Directory.EnumerateDirectories(full)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('.'))
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToArray();
        if (classNames.Length == 0)
            throw new InvalidDataException($"Image folder '{root}' has no class subfolders; expected one folder of images per class (root/<class>/<image>).");

        var samples = new List<ImageFolderSample>();
        for (int label = 0; label < classNames.Length; label++)
        {
            var classDir = Path.Combine(full, classNames[label]);
            int before = samples.Count;
            // Like os.walk sorted by path: the class folder, then every subfolder, in ordinal order of their paths.
            var folders = Directory.EnumerateDirectories(classDir, "*", SearchOption.AllDirectories)
                .Prepend(classDir)
                .OrderBy(d => d, StringComparer.Ordinal);
            foreach (var folder in folders)
            {
                var files = Directory.EnumerateFiles(folder)
                    .Where(f => HasImageExtension(f, options.Extensions))
                    .OrderBy(Path.GetFileName, StringComparer.Ordinal);
                foreach (var file in files) samples.Add(new ImageFolderSample(file, label));
            }
            if (samples.Count == before)
                throw new InvalidDataException(
                    $"Class folder '{classDir}' contains no images (looked for {string.Join(", ", options.Extensions)}).");
        }

        if (options.VerifyOnOpen)
            foreach (var sample in samples) VerifyHeader(sample.Path);
        return new ImageFolderDataset(full, classNames, samples.ToArray(), options);
    }

    /// <inheritdoc/>
    public int GetLabel(int index) => _samples[CheckIndex(index)].Label;

    /// <summary>Item <paramref name="index"/> decoded and center-cropped, as 8-bit pixels.</summary>
    /// <exception cref="InvalidDataException">The file is unreadable or corrupt (the message names it).</exception>
    public ByteImage LoadImage(int index)
    {
        CheckIndex(index);
        int size = Options.ImageSize;
        if (_cache?[index] is { } cached) return new ByteImage(size, size, Channels, cached);
        var image = DiTCenterCrop.Apply(ImageDecoder.Decode(_samples[index].Path, Channels), size);
        // Reference writes are atomic; two threads racing on one item store identical crops.
        if (_cache is not null) _cache[index] = image.Pixels;
        return image;
    }

    /// <inheritdoc/>
    public void CopyImage(int index, Span<float> destination)
    {
        int size = Options.ImageSize;
        if (destination.Length != Channels * size * size)
            throw new ArgumentException($"Destination holds {destination.Length} floats, an item ({Channels}, {size}, {size}) needs {Channels * size * size}.", nameof(destination));
        PixelConversion.HwcBytesToChw(LoadImage(index).Pixels, destination, Channels, size, size);
    }

    /// <inheritdoc/>
    public (float[] Pixels, int Label) GetItem(int index)
    {
        var pixels = new float[Channels * Height * Width];
        CopyImage(index, pixels);
        return (pixels, GetLabel(index));
    }

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)_samples.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Item index must be in 0 … {_samples.Length - 1}.");
        return index;
    }

    private static bool HasImageExtension(string path, IReadOnlyList<string> extensions)
    {
        foreach (var ext in extensions)
            if (path.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static void VerifyHeader(string path)
    {
        try
        {
            using var codec = SKCodec.Create(path, out var result);
            if (codec is null)
                throw new InvalidDataException($"Image file '{path}' is not a readable PNG/JPEG/BMP/WebP image (SkiaSharp: {result}).");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"Image file '{path}' cannot be read: {e.Message}", e);
        }
    }
}
