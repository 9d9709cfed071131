namespace DitML.Data;

/// <summary>Labelled images for training: pixels as C×H×W floats in [−1, 1].</summary>
public interface IImageDataset
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Number of classes (labels are 0..ClassCount−1).</summary>
    int ClassCount { get; }

    /// <summary>Channels.</summary>
    int Channels { get; }

    /// <summary>Height.</summary>
    int Height { get; }

    /// <summary>Width.</summary>
    int Width { get; }

    /// <summary>Writes image <paramref name="index"/> into <paramref name="pixels"/> (C×H×W in [−1, 1]) and returns its label.</summary>
    int Read(int index, Span<float> pixels);
}
