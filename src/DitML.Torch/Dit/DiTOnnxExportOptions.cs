using DitML.Models;
using DitML.Onnx;
using DitML.Sampling;

namespace DitML.Dit;

/// <summary>What the exported model says about itself (the sampler reads these from the file's metadata).</summary>
public sealed record DiTOnnxExportOptions
{
    /// <summary>
    /// Whether the model works on VAE latents or on images; null (the default) takes it from the model's input
    /// channels (<see cref="ModelSpaces.ForChannels"/>: 1 or 3 are pixels).
    /// </summary>
    public ModelSpace? Space { get; init; }

    /// <summary>Scale applied to VAE latents (SD-VAE: 0.18215).</summary>
    public double LatentScale { get; init; } = 0.18215;

    /// <summary>Training diffusion steps of the linear schedule.</summary>
    public int DiffusionSteps { get; init; } = 1000;

    /// <summary>
    /// The guidance scale the model recommends, written to its metadata: samplers opened on it use this unless their
    /// <see cref="SamplerOptions.GuidanceScale"/> is set. Default: the paper's 4.
    /// </summary>
    public double GuidanceScale { get; init; } = SamplerOptions.DefaultGuidanceScale;

    /// <summary>
    /// The classes' names in id order (e.g. Fashion-MNIST's "T-shirt/top", …), written to the metadata so that samplers
    /// and ML.NET pipelines can ask for classes by name; null writes none.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>
    /// How the weights are stored and computed: <see cref="OnnxPrecision.Float32"/> (default) or
    /// <see cref="OnnxPrecision.Int8"/> (the blocks' linear layers in int8 with dynamic activation quantization; written to
    /// the metadata as <see cref="DiTOnnxMetadata.Precision"/>).
    /// </summary>
    public OnnxPrecision Precision { get; init; } = OnnxPrecision.Float32;

    /// <summary>Extra metadata entries.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}
