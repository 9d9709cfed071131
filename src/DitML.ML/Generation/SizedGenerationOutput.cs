using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace DitML.ML.Generation;

/// <summary>
/// Output row of the saved generation mapping (contract <c>DitML.DiffusionGenerate.v2</c>). A CustomMapping's column
/// types are fixed at compile time, so the pixels go out as a sparse vector of <see cref="MaxPixels"/> slots holding the
/// image's C×H×W values first; the saved chain's next step (a fitted count-based slot selection, a stock ML.NET
/// transform) keeps exactly those slots, which gives the loaded Pixels column its known size.
/// </summary>
public sealed class SizedGenerationOutput
{
    /// <summary>Largest image a saved pipeline can generate: C×H×W values (3 × 1024 × 1024).</summary>
    public const int MaxPixels = 3 * 1024 * 1024;

    /// <summary>The generated image (RGBA, opaque); its size is not part of the column type after loading.</summary>
    [ColumnName(PersistedGeneration.ImageColumn)]
    [AnySizeImage]
    public MLImage? Image { get; set; }

    /// <summary>C×H×W pixels in [−1, 1] in the first slots of <see cref="MaxPixels"/>.</summary>
    [ColumnName(PersistedGeneration.PixelsColumn)]
    [VectorType(MaxPixels)]
    public VBuffer<float> Pixels { get; set; }
}
