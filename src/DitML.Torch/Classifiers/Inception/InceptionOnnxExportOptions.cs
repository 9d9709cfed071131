namespace DitML.Classifiers.Inception;

/// <summary>The image shape an exported FID InceptionV3 takes (the graph converts it to 3×299×299 itself).</summary>
public sealed record InceptionOnnxExportOptions
{
    /// <summary>Channels of the input: 3, or 1 (repeated to RGB, as pytorch-fid does with grayscale). Default 3.</summary>
    public int Channels { get; init; } = 3;

    /// <summary>Height of the input; resized bilinearly to 299 when different. Default 299.</summary>
    public int Height { get; init; } = FidInceptionV3.InputSize;

    /// <summary>Width of the input; resized bilinearly to 299 when different. Default 299.</summary>
    public int Width { get; init; } = FidInceptionV3.InputSize;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A channel count other than 1 or 3, or a side below 1.</exception>
    public InceptionOnnxExportOptions Validate()
    {
        if (Channels is not (1 or 3)) throw new ArgumentException($"{nameof(Channels)} must be 1 or 3, got {Channels}");
        if (Height < 1 || Width < 1) throw new ArgumentException($"the image size must be positive, got {Height}×{Width}");
        return this;
    }
}
