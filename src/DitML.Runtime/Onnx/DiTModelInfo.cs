using System.Globalization;
using DitML.Generation;
using DitML.Models;
using DitML.Sampling;

namespace DitML.Onnx;

/// <summary>What an exported DiT (or latent DiffiT) says about itself in its ONNX metadata.</summary>
/// <param name="Config">
/// The model's config; for a latent DiffiT, the DiT config of the same sizes (all that serving reads: channels, size,
/// classes, learned variance), the model's own config being <see cref="DiffiTConfig"/>.
/// </param>
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

    /// <summary>The latent DiffiT config when the model is a latent DiffiT (metadata <see cref="LatentDiffiTOnnxMetadata.Config"/>); null for a DiT.</summary>
    public LatentDiffiTConfig? DiffiTConfig { get; init; }

    /// <summary>The guidance schedule the model asks for (<see cref="GuidanceOnnxMetadata.Schedule"/>; constant when absent).</summary>
    public GuidanceSchedule GuidanceSchedule { get; init; } = GuidanceSchedule.Constant;

    /// <summary>Whether only output channels 0–2 are guided (<see cref="GuidanceOnnxMetadata.Channels"/> "3": latent DiffiT); else all.</summary>
    public bool GuideFirstThreeChannels { get; init; }

    /// <summary>The model's name for messages: its preset name ("DiffiT-XL/2", "DiT-S/2"), else "custom DiffiT" / "custom DiT".</summary>
    public string DisplayName => DiffiTConfig is { } d ? d.Name ?? "custom DiffiT" : Config.Name ?? "custom DiT";

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
        LatentDiffiTConfig? diffit = null;
        DiTConfig config;
        if (!metadata.ContainsKey(DiTOnnxMetadata.Config) && metadata.TryGetValue(LatentDiffiTOnnxMetadata.Config, out var diffitJson))
        {
            diffit = LatentDiffiTConfig.FromJson(diffitJson);
            config = ServingShape(diffit);
        }
        else
        {
            config = DiTConfig.FromJson(Need(DiTOnnxMetadata.Config));
        }
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
            DiffiTConfig = diffit,
            GuidanceSchedule = ReadSchedule(metadata, source),
            GuideFirstThreeChannels = ReadGuidedChannels(metadata, source),
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

    /// <summary>The DiT config of a latent DiffiT's sizes: what the denoiser reads (channels, size, classes, variance).</summary>
    private static DiTConfig ServingShape(LatentDiffiTConfig c) => new()
    {
        InputSize = c.InputSize, PatchSize = c.PatchSize, InChannels = c.InChannels, HiddenSize = c.HiddenSize, Depth = c.Depth,
        NumHeads = c.NumHeads, MlpRatio = c.MlpRatio, NumClasses = c.NumClasses, ClassDropoutProb = c.ClassDropoutProb, LearnSigma = c.LearnSigma,
    };

    private static GuidanceSchedule ReadSchedule(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(GuidanceOnnxMetadata.Schedule, out var kind)) return GuidanceSchedule.Constant;
        try
        {
            return GuidanceSchedule.Parse(kind, metadata.GetValueOrDefault(GuidanceOnnxMetadata.Power));
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{source}: bad guidance schedule in its metadata ('{GuidanceOnnxMetadata.Schedule}' = '{kind}'): {e.Message}", e);
        }
    }

    private static bool ReadGuidedChannels(IReadOnlyDictionary<string, string> metadata, string source) =>
        metadata.GetValueOrDefault(GuidanceOnnxMetadata.Channels) switch
        {
            null or "all" => false,
            "3" => true,
            var other => throw new InvalidDataException($"{source}: '{GuidanceOnnxMetadata.Channels}' must be \"3\" or \"all\", got '{other}'"),
        };
}
