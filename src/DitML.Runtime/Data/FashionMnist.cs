namespace DitML.Data;

/// <summary>
/// Fashion-MNIST (Xiao et al., 2017): 70,000 28×28 grayscale pictures of clothing in 10 balanced classes, 60,000 for
/// training and 10,000 for testing, in the MNIST IDX format — a small dataset to train and check diffusion models on.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the four <c>.gz</c> files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Image side in pixels.</summary>
    public const int ImageSize = 28;

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Array.AsReadOnly(new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    });

    /// <summary>
    /// Loads a split from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>), checking that the images
    /// are 28×28 and the labels 0–9.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or is not Fashion-MNIST-shaped.</exception>
    public static IdxDataset Load(IdxSplit split, string? directory = null)
    {
        var dataset = IdxDataset.Load(directory ?? DefaultDirectory, split, ClassNames);
        if (dataset.Height != ImageSize || dataset.Width != ImageSize)
            throw new InvalidDataException(
                $"'{Path.Combine(directory ?? DefaultDirectory, IdxDataset.ImagesFileName(split))}' holds {dataset.Height}×{dataset.Width} images; Fashion-MNIST images are {ImageSize}×{ImageSize}.");
        return dataset;
    }
}
