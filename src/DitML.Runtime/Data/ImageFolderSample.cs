namespace DitML.Data;

/// <summary>One image file of an <see cref="ImageFolderDataset"/> and the label of its class folder.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Label">Index of its class in the dataset's sorted class names.</param>
public readonly record struct ImageFolderSample(string Path, int Label);
