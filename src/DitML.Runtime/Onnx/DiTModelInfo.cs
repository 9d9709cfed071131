using System.Globalization;
using DitML.Models;
using DitML.Sampling;

namespace DitML.Onnx;

/// <summary>What an exported DiT says about itself in its ONNX metadata.</summary>
/// <param name="Config">The model's config.</param>
/// <param name="DiffusionSteps">Training steps of its linear schedule.</param>
/// <param name="Space">Pixels, or latents that need a VAE decoder.</param>
/// <param name="LatentScale">Scale of VAE latents (0.18215 for SD-VAE).</param>
/// <param name="GuidanceScale">The guidance scale its exporter recommends.</param>
public sealed record DiTModelInfo(DiTConfig Config, int DiffusionSteps, ModelSpace Space, double LatentScale, double GuidanceScale)
{
    /// <summary>Reads the info from metadata written by DitML's exporter.</summary>
    /// <exception cref="InvalidDataException">The metadata lacks DitML's keys (not a DitML-exported DiT).</exception>
    public static DiTModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string Need(string key) => metadata.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{source}: not a DitML-exported DiT (its metadata has no '{key}'); export it with `ditml export-onnx`");
        var inv = CultureInfo.InvariantCulture;
        return new DiTModelInfo(
            DiTConfig.FromJson(Need(DiTOnnxMetadata.Config)),
            int.Parse(Need(DiTOnnxMetadata.DiffusionSteps), inv),
            ModelSpaces.Parse(Need(DiTOnnxMetadata.Space)),
            double.Parse(Need(DiTOnnxMetadata.LatentScale), inv),
            metadata.TryGetValue(DiTOnnxMetadata.GuidanceScale, out var g) ? double.Parse(g, inv) : SamplerOptions.DefaultGuidanceScale);
    }
}
