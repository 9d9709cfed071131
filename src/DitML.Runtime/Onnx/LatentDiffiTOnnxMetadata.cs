namespace DitML.Onnx;

/// <summary>
/// The metadata key that marks a latent DiffiT (in its exported ONNX model and its DitML safetensors checkpoint). The
/// other keys of an exported DiffiT are <see cref="DiTOnnxMetadata"/>'s and <see cref="GuidanceOnnxMetadata"/>'s.
/// </summary>
public static class LatentDiffiTOnnxMetadata
{
    /// <summary>The latent DiffiT config as JSON (see LatentDiffiTConfig.ToJson).</summary>
    public const string Config = "ditml.diffit_config";
}
