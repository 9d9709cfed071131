using DitML.Checkpoints;
using DitML.Models;
using DitML.Onnx;

namespace DitML.DiffiT;

/// <summary>
/// Loads latent DiffiT from a state_dict file: the released <c>diffit_256/512.safetensors</c>, a PyTorch .pt
/// state_dict or training dict, or DitML's own safetensors. Loading is strict: every key (the
/// <c>relative_position_index</c> buffers included) and shape must match. Saves the same state_dict back, the
/// int64 index buffers kept int64, so PyTorch's <c>load_state_dict(strict=True)</c> takes DitML's files.
/// </summary>
public static class LatentDiffiTCheckpoint
{
    /// <summary>Metadata key under which DitML stores a latent DiffiT config (JSON) in safetensors files.</summary>
    public const string ConfigMetadataKey = LatentDiffiTOnnxMetadata.Config;

    /// <summary>
    /// Saves the model's state_dict: safetensors (its config in the metadata under <see cref="ConfigMetadataKey"/>) or,
    /// for any other extension, a torch.save zip of the bare state_dict (the release's layout: 346 entries for
    /// DiffiT-XL/2, <c>relative_position_index</c> int64). A .pt carries no config: <see cref="Load(string, LatentDiffiTConfig?, CheckpointWeights)"/> infers it from
    /// the shapes (class dropout on, the release's setting).
    /// </summary>
    public static void Save(string path, LatentDiffiT model)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        CheckpointFile.Write(path, ModelStateDict.Export(model), new Dictionary<string, string> { [ConfigMetadataKey] = model.Config.ToJson() });
    }

    /// <summary>
    /// Reads a checkpoint and builds the model: with <paramref name="config"/> when given, else the DitML metadata,
    /// else the config its tensor shapes imply (width, patch, channels, grid, depth, heads, classes, learned variance).
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the config: names every missing/unexpected key and shape mismatch.</exception>
    public static LatentDiffiT Load(string path, LatentDiffiTConfig? config = null, CheckpointWeights weights = CheckpointWeights.Auto) =>
        Load(CheckpointFile.Open(path, weights), path, config);

    /// <summary>Builds the model from checkpoint contents already read from <paramref name="path"/> (config as in the other overload).</summary>
    /// <exception cref="InvalidDataException">The contents do not fit the config: names every missing/unexpected key and shape mismatch.</exception>
    public static LatentDiffiT Load(CheckpointContents contents, string path, LatentDiffiTConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(contents);
        config ??= contents.Metadata.TryGetValue(ConfigMetadataKey, out var json) ? LatentDiffiTConfig.FromJson(json) : InferConfig(contents, path);
        var model = new LatentDiffiT(config);
        try
        {
            ModelStateDict.Load(model, contents.Tensors, path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>
    /// Whether checkpoint contents are a latent DiffiT's: DitML's config key, or the release's TMSA time projection
    /// (<c>blocks.0.attn.qkv_temb.weight</c>, which no DiT has).
    /// </summary>
    public static bool Recognizes(CheckpointContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return contents.Metadata.ContainsKey(ConfigMetadataKey) || contents.Tensors.ContainsKey("blocks.0.attn.qkv_temb.weight");
    }

    /// <summary>The config a latent DiffiT state_dict's tensor shapes imply (class dropout assumed on: the table has the null row).</summary>
    /// <exception cref="InvalidDataException">A tensor every DiffiT state_dict has is absent (names it and the first keys).</exception>
    public static LatentDiffiTConfig InferConfig(CheckpointContents contents, string source)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var t = contents.Tensors;
        CheckpointTensor Need(string key) => t.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{source}: not a latent DiffiT checkpoint: it has no '{key}' (first keys: {string.Join(", ", t.Keys.Take(5))})");
        var proj = Need("x_embedder.proj.weight");                          // (D, C, p, p)
        var pos = Need("pos_embed");                                        // (1, T, D)
        var labels = Need("y_embedder.embedding_table.weight");             // (K + 1, D)
        var final = Need("final_layer.linear.weight");                      // (p·p·C_out, D)
        var table = Need("blocks.0.attn.relative_position_bias_table");     // ((2W−1)², H)
        var fc1 = Need("blocks.0.mlp.fc1.weight");                          // (rD, D)
        int d = (int)proj.Shape[0], c = (int)proj.Shape[1], p = (int)proj.Shape[2];
        int grid = (int)Math.Round(Math.Sqrt(pos.Shape[1]));
        int depth = t.Keys.Count(k => k.StartsWith("blocks.", StringComparison.Ordinal) && k.EndsWith(".mlp.fc1.weight", StringComparison.Ordinal));
        int outChannels = (int)(final.Shape[0] / (p * p));
        return new LatentDiffiTConfig
        {
            HiddenSize = d, InChannels = c, PatchSize = p, InputSize = grid * p, Depth = depth, NumHeads = (int)table.Shape[1],
            MlpRatio = (double)fc1.Shape[0] / d, NumClasses = (int)labels.Shape[0] - 1, LearnSigma = outChannels == 2 * c,
        }.Validate();
    }
}
