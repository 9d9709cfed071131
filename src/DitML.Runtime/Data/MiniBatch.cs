namespace DitML.Data;

/// <summary>
/// One batch from a <see cref="MiniBatchIterator"/>. The iterator reuses the arrays: the contents are valid until the
/// next batch is drawn, so copy them (e.g. into a tensor) before asking for another.
/// </summary>
public sealed class MiniBatch
{
    internal MiniBatch(int count, int channels, int height, int width)
    {
        Channels = channels;
        Height = height;
        Width = width;
        Pixels = new float[checked(count * channels * height * width)];
        Labels = new long[count];
        Indices = new int[count];
        Flipped = new bool[count];
    }

    /// <summary>Number of items B (the batch size, or fewer for the last batch of an epoch without drop-last).</summary>
    public int Count => Labels.Length;

    /// <summary>Channels C per item.</summary>
    public int Channels { get; }

    /// <summary>Height H per item.</summary>
    public int Height { get; }

    /// <summary>Width W per item.</summary>
    public int Width { get; }

    /// <summary>Pixels in [−1, 1], shape (B, C, H, W), exactly B·C·H·W long.</summary>
    public float[] Pixels { get; }

    /// <summary>Class labels, length B (int64, as PyTorch/TorchSharp embedding lookups expect).</summary>
    public long[] Labels { get; }

    /// <summary>The dataset index of each item.</summary>
    public int[] Indices { get; }

    /// <summary>Whether each item was mirrored.</summary>
    public bool[] Flipped { get; }

    /// <summary>Epoch this batch belongs to (0-based).</summary>
    public int Epoch { get; internal set; }

    /// <summary>Position of this batch within its epoch (0-based).</summary>
    public int BatchIndex { get; internal set; }

    /// <summary>Shape (B, C, H, W) of <see cref="Pixels"/>.</summary>
    public long[] Shape => [Count, Channels, Height, Width];
}
