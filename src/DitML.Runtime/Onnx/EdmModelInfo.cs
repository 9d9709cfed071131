using System.Globalization;
using DitML.Diffusion;
using DitML.Generation;
using DitML.Models;

namespace DitML.Onnx;

/// <summary>What an exported EDM model (image-space DiffiT) says about itself in its ONNX metadata.</summary>
/// <param name="Config">The network's config.</param>
/// <param name="Edm">The EDM settings it was trained with (σ_data, the sampler's σ range and ρ).</param>
/// <param name="SamplingSteps">The EDM Heun steps its exporter recommends.</param>
/// <param name="GuidanceScale">The guidance scale its exporter recommends (1 for unconditional models).</param>
public sealed record EdmModelInfo(ImageDiffiTConfig Config, EdmSettings Edm, int SamplingSteps, double GuidanceScale)
{
    /// <summary>The classes' names in class id order, when the exporter was given them; else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>
    /// Classes as samplers see them: the model's, or 1 for an unconditional model (whose graph ignores the label, so
    /// every row is "class 0").
    /// </summary>
    public int SamplerClasses => Config.Conditional ? Config.NumClasses : 1;

    /// <summary>True when the metadata is that of an EDM model.</summary>
    public static bool IsEdm(IReadOnlyDictionary<string, string> metadata) =>
        metadata is not null && metadata.TryGetValue(ImageDiffiTOnnxMetadata.Parameterization, out var p) && p == ImageDiffiTOnnxMetadata.EdmParameterization;

    /// <summary>Reads the info from metadata written by <c>ImageDiffiTOnnxExporter</c>.</summary>
    /// <exception cref="InvalidDataException">A key is missing or invalid, naming <paramref name="source"/>.</exception>
    public static EdmModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string Need(string key) => metadata.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{source}: not a DitML-exported EDM model (its metadata has no '{key}'); export it with `ditml export-onnx`");
        var inv = CultureInfo.InvariantCulture;
        ImageDiffiTConfig config;
        try
        {
            config = ImageDiffiTConfig.FromJson(Need(ImageDiffiTOnnxMetadata.Config));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
        IReadOnlyList<string>? names = null;
        if (metadata.TryGetValue(DiTOnnxMetadata.ClassNames, out var json))
        {
            names = System.Text.Json.JsonSerializer.Deserialize<string[]>(json);
            if (names is null || names.Count != config.NumClasses || names.Any(string.IsNullOrWhiteSpace))
                throw new InvalidDataException($"{source}: '{DiTOnnxMetadata.ClassNames}' must name each of the {config.NumClasses} classes, got {json}");
        }
        return new EdmModelInfo(config, EdmSettingsJson.FromJson(Need(ImageDiffiTOnnxMetadata.Edm), source),
            int.Parse(Need(ImageDiffiTOnnxMetadata.SamplingSteps), inv),
            metadata.TryGetValue(DiTOnnxMetadata.GuidanceScale, out var g) ? double.Parse(g, inv) : 1.0)
        {
            ClassNames = names,
        };
    }

    /// <summary>The id of the class named <paramref name="name"/> (exact, else the one case-insensitive match).</summary>
    /// <exception cref="ArgumentException">No class names, or none (or several) match.</exception>
    public long ClassId(string name) => ClassNaming.Find(ClassNames, name, "the model");
}
