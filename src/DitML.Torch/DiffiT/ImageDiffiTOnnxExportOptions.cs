using DitML.Diffusion;

namespace DitML.DiffiT;

/// <summary>What an exported image DiffiT says about itself (the sampler reads these from the file's metadata).</summary>
public sealed record ImageDiffiTOnnxExportOptions
{
    /// <summary>
    /// The EDM Heun steps the model recommends; null takes the paper's: <see cref="EdmSettings.Cifar10Steps"/> (18) up
    /// to 32×32, <see cref="EdmSettings.Ffhq64Steps"/> (40) above.
    /// </summary>
    public int? SamplingSteps { get; init; }

    /// <summary>
    /// The guidance scale the model recommends (class-conditional models only; guidance on D). Default 1: no guidance,
    /// as the paper's unconditional models.
    /// </summary>
    public double GuidanceScale { get; init; } = 1.0;

    /// <summary>The classes' names in id order, written to the metadata; null writes none.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}
