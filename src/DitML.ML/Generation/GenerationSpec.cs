using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DitML.Generation;
using DitML.Onnx;
using DitML.Sampling;

namespace DitML.ML.Generation;

/// <summary>
/// Everything needed to recreate a model-file generator: the exported model (path and SHA-256, checked on load) and the
/// sampler settings. Saved pipelines carry it, so a loaded pipeline regenerates the same images.
/// </summary>
/// <param name="ModelPath">The exported model's full path.</param>
/// <param name="ModelSha256">Its SHA-256 when the pipeline was built (a changed file is refused).</param>
/// <param name="Sampler">The sampler settings, guidance scale included (null: the model's recommendation).</param>
/// <param name="Threads">ONNX Runtime intra-op threads (0: one per core).</param>
/// <param name="OutputSize">Side of the returned images; null keeps the model's.</param>
/// <param name="GuidanceScale">
/// Only in pipelines saved before format 2, when the guidance scale lived beside the sampler settings (null then meant
/// the model's recommendation, whatever the sampler's own value). Format 2 keeps it in <see cref="SamplerOptions"/>.
/// </param>
/// <param name="Format">The spec's format: 2 now; specs saved without it are format 1.</param>
/// <param name="Columns">
/// The saved transformer's columns and batch size (set on save; absent in pipelines saved before, which then load only
/// as the row-by-row chain).
/// </param>
/// <param name="Device">
/// Where the generator runs, as <see cref="OnnxDevice"/> spells it (<c>cpu</c>, <c>cuda:0</c>, <c>auto</c>); null in
/// specs saved before devices (the CPU).
/// </param>
/// <param name="UseModelSampler">
/// Sample with the sampler the model names (EDM models: EDM's Heun at their steps; see
/// <see cref="DiffusionGeneratorOptions.UseModelSampler"/>): set when the caller gave no sampler settings. False in older specs.
/// </param>
internal sealed record GenerationSpec(string ModelPath, string ModelSha256, SamplerOptions Sampler, double? GuidanceScale, int Threads, int? OutputSize, int Format = 1,
    bool UseModelSampler = false, GenerationColumns? Columns = null, string? Device = null)
{
    private const int CurrentFormat = 2;

    private static readonly JsonSerializerOptions Json = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static GenerationSpec For(string modelPath, DiffusionGeneratorOptions? options)
    {
        string full = Path.GetFullPath(modelPath);
        return new GenerationSpec(full, Sha256(full), options?.Sampler ?? new SamplerOptions(), null, options?.Threads ?? 0, options?.OutputSize, CurrentFormat,
            options?.Sampler is null || options.UseModelSampler, Device: options?.Device?.ToString());
    }

    public DiffusionGeneratorOptions GeneratorOptions => new()
    {
        Sampler = Format < CurrentFormat ? Sampler with { GuidanceScale = GuidanceScale } : Sampler,
        Threads = Threads,
        OutputSize = OutputSize,
        UseModelSampler = UseModelSampler,
        Device = Device is null ? null : OnnxDevice.Parse(Device),
    };

    /// <summary>Opens the generator, checking that the model file is still the one the pipeline was built with.</summary>
    /// <exception cref="FileNotFoundException">The model file is missing.</exception>
    /// <exception cref="InvalidDataException">The model file changed since the pipeline was built.</exception>
    public IImageGenerator Open()
    {
        CheckModelFile();
        return DiffusionGenerator.OpenImages(ModelPath, GeneratorOptions);
    }

    /// <summary>Checks that the model file exists and is the one the pipeline was built with (same SHA-256).</summary>
    /// <exception cref="FileNotFoundException">The model file is missing.</exception>
    /// <exception cref="InvalidDataException">The model file changed since the pipeline was built.</exception>
    public void CheckModelFile()
    {
        if (!File.Exists(ModelPath))
            throw new FileNotFoundException($"the saved pipeline generates with {ModelPath}, which is missing", ModelPath);
        if (Sha256(ModelPath) != ModelSha256)
            throw new InvalidDataException($"{ModelPath} changed since the pipeline was built (SHA-256 differs); re-create the pipeline for the new model");
    }

    public string ToBase64() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(this, Json));

    public static GenerationSpec FromBase64(string text) =>
        JsonSerializer.Deserialize<GenerationSpec>(Convert.FromBase64String(text), Json) ?? throw new InvalidDataException("empty DitML generation spec");

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
