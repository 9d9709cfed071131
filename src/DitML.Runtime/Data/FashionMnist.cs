namespace DitML.Data;

/// <summary>Fashion-MNIST: where Debian installs it and its class names.</summary>
public static class FashionMnist
{
    /// <summary>Where Debian's dataset-fashion-mnist package puts the IDX files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads a split from the default folder (or <paramref name="directory"/>).</summary>
    public static IdxDataset Load(string split = "train", string? directory = null) => IdxDataset.Load(directory ?? DefaultDirectory, split);
}
