using DitML.DiffiT;
using DitML.Dit;
using DitML.Generation;
using DitML.Models;
using DitML.Onnx;
using DitML.Precision;

namespace DitML.Sampling;

/// <summary>
/// Samples a TorchSharp model without exporting it, as the official repo's sample.py samples a checkpoint: a
/// <see cref="DiffusionGenerator"/> over <see cref="TorchDenoiser"/>, described as its ONNX export would be (the same
/// recommended guidance, guidance recipe, space and clipping), so the images are those of the exported model up to
/// float rounding. Loads libtorch: serving without it is the export's job.
/// </summary>
public static class CheckpointGenerator
{
    /// <summary>A generator over <paramref name="model"/> (a DiT or latent DiffiT), which it disposes when <paramref name="ownsModel"/>.</summary>
    /// <param name="model">The model, weights loaded.</param>
    /// <param name="options">Sampler, VAE decoder (latent models), threads.</param>
    /// <param name="description">What an export would say (space, guidance, class names); null: the exporter's defaults.</param>
    /// <param name="precision">Compute precision (bf16 where the CPU runs it natively).</param>
    /// <param name="ownsModel">Dispose the model with the generator.</param>
    /// <exception cref="ArgumentException">A latent model without a VAE decoder, or one whose latents do not fit it.</exception>
    public static DiffusionGenerator Open(IDiffusionTransformer model, DiffusionGeneratorOptions? options = null, DiTOnnxExportOptions? description = null,
        ComputePrecision precision = ComputePrecision.Fp32, bool ownsModel = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (options?.Device is { WantsGpu: true } device)
            throw new NotSupportedException($"sampling a TorchSharp model runs on libtorch's CPU in this build; for {device}, export it (ditml export-onnx) and sample the ONNX model");
        var (metadata, name) = model switch
        {
            DiT dit => (DiTOnnxExporter.Metadata(dit.Config, description), dit.Config.Name ?? "custom DiT"),
            LatentDiffiT diffit => (LatentDiffiTOnnxExporter.Metadata(diffit.Config, description), diffit.Config.Name ?? "custom DiffiT"),
            _ => throw new ArgumentException($"{model.GetType().Name} is not a DiT or latent DiffiT", nameof(model)),
        };
        var info = DiTModelInfo.FromMetadata(metadata, name);
        return DiffusionGenerator.Create(new TorchDenoiser(model, precision), info, options, ownsModel ? model : null);
    }
}
