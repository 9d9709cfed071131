using DitML.Checkpoints;
using DitML.Onnx;

namespace DitML.Vae;

/// <summary>
/// Loads and saves <see cref="AutoencoderKL"/> weights with diffusers' state_dict names (safetensors or torch .pt).
/// Files written before diffusers 0.14 (e.g. the sd-vae-ft-mse / sd-vae-ft-ema uploads of 2022) name the attention
/// projections query / key / value / proj_attn; they are renamed to to_q / to_k / to_v / to_out.0 on load, as
/// diffusers' own loader does. Loading is all-or-nothing, with an error naming every missing/unexpected key and shape.
/// </summary>
public static class VaeCheckpoint
{
    /// <summary>Metadata key under which DitML stores the VAE config (JSON) in safetensors files.</summary>
    public const string ConfigMetadataKey = VaeOnnxMetadata.Config;

    private static readonly (string Old, string New)[] DeprecatedAttentionNames =
        [(".query.", ".to_q."), (".key.", ".to_k."), (".value.", ".to_v."), (".proj_attn.", ".to_out.0.")];

    /// <summary>
    /// Reads a VAE file and builds the model it holds: with <paramref name="config"/> when given, else the DitML config in
    /// the file's metadata, else the sizes read from the tensor shapes (norm groups and scaling factor as in SD).
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the config: every missing/extra key and shape mismatch.</exception>
    public static AutoencoderKL Load(string path, VaeConfig? config = null)
    {
        var contents = CheckpointFile.Open(path);
        config ??= contents.Metadata.TryGetValue(ConfigMetadataKey, out var json) ? VaeConfig.FromJson(json) : InferConfig(contents.Tensors, path);
        var model = new AutoencoderKL(config);
        try
        {
            Load(model, contents.Tensors, path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>Copies <paramref name="weights"/> (new or deprecated attention names) into <paramref name="model"/>, all or nothing.</summary>
    public static void Load(AutoencoderKL model, IReadOnlyDictionary<string, CheckpointTensor> weights, string source = "checkpoint")
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelStateDict.Load(model, RenameDeprecatedKeys(weights), source);
    }

    /// <summary>Saves the weights (diffusers names) and, in safetensors, the config.</summary>
    public static void Save(string path, AutoencoderKL model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckpointFile.Write(path, ModelStateDict.Export(model), new Dictionary<string, string> { [ConfigMetadataKey] = model.Config.ToJson() });
    }

    /// <summary>
    /// The weights with deprecated attention names (…attentions.0.query.weight) renamed to diffusers' current ones
    /// (…attentions.0.to_q.weight); 1×1-conv shaped projections (C, C, 1, 1) become Linear weights (C, C).
    /// </summary>
    public static Dictionary<string, CheckpointTensor> RenameDeprecatedKeys(IReadOnlyDictionary<string, CheckpointTensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var result = new Dictionary<string, CheckpointTensor>(weights.Count);
        foreach (var (key, value) in weights)
        {
            string name = key;
            if (key.Contains(".attentions.", StringComparison.Ordinal))
            {
                foreach (var (old, now) in DeprecatedAttentionNames)
                    name = name.Replace(old, now, StringComparison.Ordinal);
            }
            bool projection = name != key || name.Contains(".to_", StringComparison.Ordinal);
            var tensor = projection && value.Shape is [var o, var i, 1, 1] ? new CheckpointTensor(value.DType, [o, i], value.Data) : value;
            if (!result.TryAdd(name, tensor))
                throw new InvalidDataException($"'{key}' and another key both name '{name}' (old and new attention names mixed)");
        }
        return result;
    }

    /// <summary>Reads the sizes of a diffusers AutoencoderKL state_dict from its shapes (norm groups: 32, unreadable).</summary>
    public static VaeConfig InferConfig(IReadOnlyDictionary<string, CheckpointTensor> weights, string source = "checkpoint")
    {
        ArgumentNullException.ThrowIfNull(weights);
        CheckpointTensor Need(string key) => weights.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{source}: not a diffusers AutoencoderKL: it has no '{key}' (first keys: {string.Join(", ", weights.Keys.Take(5))})");
        int levels = 0;
        var channels = new List<int>();
        while (weights.ContainsKey($"encoder.down_blocks.{levels}.resnets.0.conv1.weight"))
            channels.Add((int)Need($"encoder.down_blocks.{levels++}.resnets.0.conv1.weight").Shape[0]);
        if (levels == 0) Need("encoder.down_blocks.0.resnets.0.conv1.weight");
        int layers = 0;
        while (weights.ContainsKey($"encoder.down_blocks.0.resnets.{layers}.conv1.weight")) layers++;
        return new VaeConfig
        {
            InChannels = (int)Need("encoder.conv_in.weight").Shape[1],
            OutChannels = (int)Need("decoder.conv_out.weight").Shape[0],
            BlockOutChannels = channels,
            LayersPerBlock = layers,
            LatentChannels = (int)Need("post_quant_conv.weight").Shape[0],
        }.Validate();
    }
}
