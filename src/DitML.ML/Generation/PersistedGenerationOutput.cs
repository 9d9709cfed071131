using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace DitML.ML.Generation;

/// <summary>Output row of the persisted generation mapping.</summary>
public sealed class PersistedGenerationOutput
{
    /// <summary>The generated image (RGBA, opaque); its size is not part of the column type after loading.</summary>
    [ColumnName(PersistedGeneration.ImageColumn)]
    [AnySizeImage]
    public MLImage? Image { get; set; }

    /// <summary>C×H×W pixels in [−1, 1].</summary>
    [ColumnName(PersistedGeneration.PixelsColumn)] public float[] Pixels { get; set; } = [];
}
