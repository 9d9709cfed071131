using System.Globalization;
using DitML.Generation;
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
    /// <summary>The classes' names in class id order, when the exporter was given them (<c>--class-names</c>); else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>How the model's weights are stored and computed (models exported before the key existed are fp32).</summary>
    public OnnxPrecision Precision { get; init; } = OnnxPrecision.Float32;

    /// <summary>The id of the class named <paramref name="name"/> (exact, else the one case-insensitive match).</summary>
    /// <exception cref="ArgumentException">No class names, or none (or several) match, listing the names.</exception>
    public long ClassId(string name) => ClassNaming.Find(ClassNames, name, "the model");

    /// <summary>Reads the info from metadata written by DitML's exporter.</summary>
    /// <exception cref="InvalidDataException">The metadata lacks DitML's keys (not a DitML-exported DiT).</exception>
    public static DiTModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string Need(string key) => metadata.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{source}: not a DitML-exported DiT (its metadata has no '{key}'); export it with `ditml export-onnx`");
        var inv = CultureInfo.InvariantCulture;
        var config = DiTConfig.FromJson(Need(DiTOnnxMetadata.Config));
        IReadOnlyList<string>? names = null;
        if (metadata.TryGetValue(DiTOnnxMetadata.ClassNames, out var json))
        {
            try
            {
                names = System.Text.Json.JsonSerializer.Deserialize<string[]>(json);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidDataException($"{source}: '{DiTOnnxMetadata.ClassNames}' is not a JSON array of strings: {e.Message}", e);
            }
            if (names is null || names.Count != config.NumClasses || names.Any(string.IsNullOrWhiteSpace))
                throw new InvalidDataException($"{source}: '{DiTOnnxMetadata.ClassNames}' must name each of the {config.NumClasses} classes, got {json}");
        }
        return new DiTModelInfo(
            config,
            int.Parse(Need(DiTOnnxMetadata.DiffusionSteps), inv),
            ModelSpaces.Parse(Need(DiTOnnxMetadata.Space)),
            double.Parse(Need(DiTOnnxMetadata.LatentScale), inv),
            metadata.TryGetValue(DiTOnnxMetadata.GuidanceScale, out var g) ? double.Parse(g, inv) : SamplerOptions.DefaultGuidanceScale)
        {
            ClassNames = names,
            Precision = ReadPrecision(metadata, source),
        };
    }

    private static OnnxPrecision ReadPrecision(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(DiTOnnxMetadata.Precision, out var text)) return OnnxPrecision.Float32;
        try
        {
            return OnnxPrecisions.Parse(text);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{source}: '{DiTOnnxMetadata.Precision}': {e.Message}", e);
        }
    }
}
