namespace DitML.Data;

/// <summary>How <see cref="ImageFolderDataset"/> finds and preprocesses images. Defaults follow DiT: 256 px RGB.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Side of the square crop every image is turned into (DiT: 256 or 512).</summary>
    public int ImageSize { get; init; } = 256;

    /// <summary>3 for RGB (PIL <c>convert("RGB")</c>) or 1 for grayscale (PIL <c>convert("L")</c>).</summary>
    public int Channels { get; init; } = 3;

    /// <summary>File name endings (case-insensitive) that count as images; others are ignored.</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    /// <summary>
    /// Read every file's header when the dataset is opened, so a non-image fails at once instead of mid-training.
    /// Costs one small read per file.
    /// </summary>
    public bool VerifyOnOpen { get; init; } = true;

    /// <summary>
    /// Keep each preprocessed crop in memory after its first use (ImageSize²·Channels bytes per item), so later epochs
    /// skip decoding. Right for small datasets; leave off for ImageNet-sized ones.
    /// </summary>
    public bool CacheImages { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (ImageSize <= 0) throw new ArgumentException($"ImageFolderOptions.ImageSize must be positive, got {ImageSize}.");
        if (Channels != 1 && Channels != 3) throw new ArgumentException($"ImageFolderOptions.Channels must be 1 or 3, got {Channels}.");
        if (Extensions is null || Extensions.Count == 0 || Extensions.Any(string.IsNullOrEmpty))
            throw new ArgumentException("ImageFolderOptions.Extensions must list at least one non-empty file ending.");
    }
}
