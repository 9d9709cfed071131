using System.Globalization;
using System.Text.Json;
using DitML.Checkpoints;
using DitML.Models;
using DitML.Dit;

namespace DitML.Training;

/// <summary>
/// A training run's state in one safetensors file: the model ("model.*"), its EMA ("ema.*"), the optimizer moments
/// ("opt.*"), and in the metadata the step, the model's config (DiT, or latent DiffiT under its own key) and the trainer
/// options. All randomness of a step derives
/// from (seed, step), so this is all a resumed run needs to continue exactly.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>File name of the latest checkpoint in a run folder.</summary>
    public const string FileName = "checkpoint.safetensors";

    /// <summary>File name of the EMA weights alone (a DitML model checkpoint).</summary>
    public const string EmaFileName = "ema.safetensors";

    private const string DataMetadataKey = "ditml.data";

    /// <summary>The metadata key of the trainer options: present only in training checkpoints.</summary>
    public const string TrainerMetadataKey = "ditml.trainer";

    /// <summary>The summary of the data the run trained on; null for checkpoints written before it was stored.</summary>
    public static DataSummary? ReadData(CheckpointContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return DataSummary.Parse(contents.Metadata.GetValueOrDefault(DataMetadataKey));
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Writes the state atomically.</summary>
    public static void Save(string path, IDiffusionTransformer model, IDiffusionTransformer ema, AdamW optimizer, long step, TrainerOptions options) =>
        Save(path, model, ema, optimizer, step, options, null);

    /// <summary>Writes the state atomically, with a summary of the data trained on (checked when the run resumes).</summary>
    public static void Save(string path, IDiffusionTransformer model, IDiffusionTransformer ema, AdamW optimizer, long step, TrainerOptions options, DataSummary? data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ema);
        var tensors = new Dictionary<string, CheckpointTensor>();
        foreach (var (k, v) in ModelStateDict.Export(model.Module)) tensors["model." + k] = v;
        foreach (var (k, v) in ModelStateDict.Export(ema.Module)) tensors["ema." + k] = v;
        var (moments, optimizerStep) = optimizer.ExportState();
        foreach (var (k, v) in moments) tensors["opt." + k] = v;
        SafeTensorsFile.Write(path, tensors, new Dictionary<string, string>
        {
            [model.ConfigMetadataKey] = model.ConfigJson,                  // DiT: DiTCheckpoint.ConfigMetadataKey
            ["ditml.step"] = step.ToString(CultureInfo.InvariantCulture),
            ["ditml.optimizer_step"] = optimizerStep.ToString(CultureInfo.InvariantCulture),
            [TrainerMetadataKey] = JsonSerializer.Serialize(options, Json),
            [DataMetadataKey] = data?.Serialize() ?? "",
        });
    }

    /// <summary>The state of a checkpoint file.</summary>
    /// <summary>The state of a DiT run's checkpoint file.</summary>
    public static (DiTConfig Config, TrainerOptions Options, long Step, CheckpointContents Contents) Read(string path)
    {
        var (options, step, contents) = ReadState(path);
        return (DiTConfig.FromJson(Need(contents, DiTCheckpoint.ConfigMetadataKey, path)), options, step, contents);
    }

    /// <summary>The trainer options, step and contents of a run's checkpoint file, whatever the model family.</summary>
    public static (TrainerOptions Options, long Step, CheckpointContents Contents) ReadState(string path)
    {
        var contents = SafeTensorsFile.Read(path);
        var options = JsonSerializer.Deserialize<TrainerOptions>(Need(contents, TrainerMetadataKey, path), Json) ?? throw new InvalidDataException($"{path}: empty trainer options");
        return (options, long.Parse(Need(contents, "ditml.step", path), CultureInfo.InvariantCulture), contents);
    }

    private static string Need(CheckpointContents contents, string key, string path) => contents.Metadata.TryGetValue(key, out var v) ? v
        : throw new InvalidDataException($"{path}: not a DitML training checkpoint (no '{key}' in its metadata)");

    /// <summary>Loads the saved weights and moments into freshly built model, EMA and optimizer.</summary>
    public static void Restore(CheckpointContents contents, IDiffusionTransformer model, IDiffusionTransformer ema, AdamW optimizer, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ema);
        IReadOnlyDictionary<string, CheckpointTensor> Prefixed(string prefix) =>
            contents.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        ModelStateDict.Load(model.Module, Prefixed("model."), source);
        ModelStateDict.Load(ema.Module, Prefixed("ema."), source);
        optimizer.ImportState(Prefixed("opt."), long.Parse(contents.Metadata["ditml.optimizer_step"], CultureInfo.InvariantCulture));
    }
}
