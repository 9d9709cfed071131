using System.Globalization;
using System.Text.Json;
using DitML.Checkpoints;
using DitML.Models;
using DitML.Dit;

namespace DitML.Training;

/// <summary>
/// A training run's state in one safetensors file: the model ("model.*"), its EMA ("ema.*"), the optimizer moments
/// ("opt.*"), and in the metadata the step, the DiT config and the trainer options. All randomness of a step derives
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
    public static void Save(string path, DiT model, DiT ema, AdamW optimizer, long step, TrainerOptions options) =>
        Save(path, model, ema, optimizer, step, options, null);

    /// <summary>Writes the state atomically, with a summary of the data trained on (checked when the run resumes).</summary>
    public static void Save(string path, DiT model, DiT ema, AdamW optimizer, long step, TrainerOptions options, DataSummary? data)
    {
        var tensors = new Dictionary<string, CheckpointTensor>();
        foreach (var (k, v) in ModelStateDict.Export(model)) tensors["model." + k] = v;
        foreach (var (k, v) in ModelStateDict.Export(ema)) tensors["ema." + k] = v;
        var (moments, optimizerStep) = optimizer.ExportState();
        foreach (var (k, v) in moments) tensors["opt." + k] = v;
        SafeTensorsFile.Write(path, tensors, new Dictionary<string, string>
        {
            [DiTCheckpoint.ConfigMetadataKey] = model.Config.ToJson(),
            ["ditml.step"] = step.ToString(CultureInfo.InvariantCulture),
            ["ditml.optimizer_step"] = optimizerStep.ToString(CultureInfo.InvariantCulture),
            [TrainerMetadataKey] = JsonSerializer.Serialize(options, Json),
            [DataMetadataKey] = data?.Serialize() ?? "",
        });
    }

    /// <summary>The state of a checkpoint file.</summary>
    public static (DiTConfig Config, TrainerOptions Options, long Step, CheckpointContents Contents) Read(string path)
    {
        var contents = SafeTensorsFile.Read(path);
        string Need(string key) => contents.Metadata.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{path}: not a DitML training checkpoint (no '{key}' in its metadata)");
        var config = DiTConfig.FromJson(Need(DiTCheckpoint.ConfigMetadataKey));
        var options = JsonSerializer.Deserialize<TrainerOptions>(Need(TrainerMetadataKey), Json) ?? throw new InvalidDataException($"{path}: empty trainer options");
        return (config, options, long.Parse(Need("ditml.step"), CultureInfo.InvariantCulture), contents);
    }

    /// <summary>Loads the saved weights and moments into freshly built model, EMA and optimizer.</summary>
    public static void Restore(CheckpointContents contents, DiT model, DiT ema, AdamW optimizer, string source)
    {
        IReadOnlyDictionary<string, CheckpointTensor> Prefixed(string prefix) =>
            contents.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        ModelStateDict.Load(model, Prefixed("model."), source);
        ModelStateDict.Load(ema, Prefixed("ema."), source);
        optimizer.ImportState(Prefixed("opt."), long.Parse(contents.Metadata["ditml.optimizer_step"], CultureInfo.InvariantCulture));
    }
}
