namespace DitML.Onnx;

/// <summary>
/// Metadata keys of image-space DiffiT, an EDM model, in its ONNX export and its safetensors checkpoints (beside the
/// shared <see cref="DiTOnnxMetadata.Space"/>, <see cref="DiTOnnxMetadata.NumClasses"/>,
/// <see cref="DiTOnnxMetadata.ClassNames"/> and <see cref="DiTOnnxMetadata.GuidanceScale"/>). Its config has its own
/// key, so a DiT loader refuses an image DiffiT file by name instead of misreading it.
/// </summary>
public static class ImageDiffiTOnnxMetadata
{
    /// <summary>The <c>ImageDiffiTConfig</c> as JSON.</summary>
    public const string Config = "ditml.image_diffit.config";

    /// <summary>What the network predicts: <see cref="EdmParameterization"/> for an EDM denoiser D(x; σ) taking σ as input.</summary>
    public const string Parameterization = "ditml.parameterization";

    /// <summary>The value of <see cref="Parameterization"/> for EDM models.</summary>
    public const string EdmParameterization = "edm";

    /// <summary>The <c>EdmSettings</c> as JSON (σ_data, training distribution, sampler σ range and ρ).</summary>
    public const string Edm = "ditml.edm";

    /// <summary>The sampler steps the exporter recommends (the paper's: 18 at 32², 40 at 64²).</summary>
    public const string SamplingSteps = "ditml.sampling_steps";

    /// <summary>The name of the noise-level input of an EDM graph (inputs x, sigma, y).</summary>
    public const string SigmaInput = "sigma";
}
