using DitML.Onnx;
using DitML.Sampling;

namespace DitML.Generation;

/// <summary>Settings of <see cref="DiffusionGenerator"/>.</summary>
public sealed record DiffusionGeneratorOptions
{
    /// <summary>
    /// Sampler settings; null takes DPM-Solver++(2M), 20 steps (an EDM model: EDM's Heun sampler at its recommended steps). A null <see cref="SamplerOptions.GuidanceScale"/> takes the
    /// scale the model's exporter recommends (its metadata); a set one is used as given.
    /// </summary>
    public SamplerOptions? Sampler { get; init; }

    /// <summary>Side of the square images returned; null keeps the model's size (bilinear resize otherwise).</summary>
    public int? OutputSize { get; init; }

    /// <summary>
    /// A VAE decoder exported by DitML (<c>VaeOnnxExporter.ExportDecoder</c>); required for latent-space models, which
    /// then return decoded images. Ignored by pixel-space models.
    /// </summary>
    public string? VaeDecoderPath { get; init; }

    /// <summary>
    /// Sample with the sampler the model's metadata names, keeping <see cref="Sampler"/>'s batch size and guidance: for an
    /// EDM model (image DiffiT) EDM's Heun sampler at its recommended steps; for a DiT it changes nothing.
    /// </summary>
    public bool UseModelSampler { get; init; }

    /// <summary>ONNX Runtime intra-op threads (0: one per core).</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Where the model and its VAE decoder run: null or <see cref="OnnxDevice.Cpu"/> the CPU, <c>cuda:N</c> GPU N (the
    /// GPU build; refused at once, saying what is missing, where CUDA cannot load), <see cref="OnnxDevice.Auto"/> the GPU
    /// when usable. The sampler's arithmetic stays on the host: each step sends x to the device and reads the prediction
    /// back (16 KiB per image for a 4×32×32 latent).
    /// </summary>
    public OnnxDevice? Device { get; init; }
}
