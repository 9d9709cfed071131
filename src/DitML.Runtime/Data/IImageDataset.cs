namespace DitML.Data;

/// <summary>
/// A labelled image dataset as a trainer consumes it: a fixed number of items of one shape (C, H, W), each a float
/// tensor in [−1, 1] with an integer class label. Implementations must allow concurrent <see cref="CopyImage"/> calls
/// (the mini-batch iterator fills a batch in parallel).
/// </summary>
public interface IImageDataset
{
    /// <summary>Number of items.</summary>
    int Count { get; }

    /// <summary>Number of classes; labels are 0 … ClassCount − 1.</summary>
    int ClassCount { get; }

    /// <summary>Class names indexed by label (length <see cref="ClassCount"/>).</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Channels C of every item (1 grayscale, 3 RGB).</summary>
    int Channels { get; }

    /// <summary>Height H of every item.</summary>
    int Height { get; }

    /// <summary>Width W of every item.</summary>
    int Width { get; }

    /// <summary>The label of item <paramref name="index"/>.</summary>
    int GetLabel(int index);

    /// <summary>Writes item <paramref name="index"/> as (C, H, W) floats in [−1, 1] into <paramref name="destination"/> (exactly C·H·W long).</summary>
    void CopyImage(int index, Span<float> destination);

    /// <summary>Item <paramref name="index"/>: its (C, H, W) pixels in [−1, 1] and its label.</summary>
    (float[] Pixels, int Label) GetItem(int index);
}
