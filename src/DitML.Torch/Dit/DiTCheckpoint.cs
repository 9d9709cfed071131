using System.Globalization;
using DitML.Models;
using DitML.Checkpoints;
using DitML.Onnx;

namespace DitML.Dit;

/// <summary>
/// Loads DiT models from checkpoints (official PyTorch .pt, safetensors, DitML's own) and saves them with their config,
/// so nobody retypes sizes.
/// </summary>
public static class DiTCheckpoint
{
    /// <summary>Metadata key under which DitML stores the model config (JSON) in safetensors files.</summary>
    public const string ConfigMetadataKey = DiTOnnxMetadata.Config;

    /// <summary>Reads a checkpoint and builds the model it describes, with its weights.</summary>
    /// <exception cref="InvalidDataException">The file does not fit the config: names every missing/extra key and shape mismatch.</exception>
    public static DiT Load(string path, DiTLoadOptions? options = null)
    {
        options ??= new DiTLoadOptions();
        return Load(CheckpointFile.Open(path, options.Weights), options, path);
    }

    /// <summary>Builds the model that checkpoint contents already read (from <paramref name="path"/>) describe, with their weights.</summary>
    /// <exception cref="InvalidDataException">The contents do not fit the config: names every missing/extra key and shape mismatch.</exception>
    public static DiT Load(CheckpointContents contents, DiTLoadOptions? options, string path)
    {
        ArgumentNullException.ThrowIfNull(contents);
        options ??= new DiTLoadOptions();
        var config = ResolveConfig(contents, options, path);
        var model = new DiT(config);
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

    /// <summary>Saves the model's weights and config: safetensors (config in the metadata) or .pt (official layout).</summary>
    public static void Save(string path, DiT model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckpointFile.Write(path, ModelStateDict.Export(model), new Dictionary<string, string> { [ConfigMetadataKey] = model.Config.ToJson() });
    }

    /// <summary>
    /// The config of a checkpoint: from <paramref name="options"/> (Config, or Model and sizes) when given; else the DitML metadata; else the
    /// training arguments of an official training dict; else inferred from tensor shapes when they match a paper size.
    /// </summary>
    public static DiTConfig ResolveConfig(CheckpointContents contents, DiTLoadOptions? options, string source)
    {
        ArgumentNullException.ThrowIfNull(contents);
        options ??= new DiTLoadOptions();
        var shapes = ShapeFacts.From(contents, source);
        DiTConfig config;
        if (options.Config != null)
        {
            config = options.Config;
        }
        else if (options.Model != null)
        {
            config = DiTConfig.FromName(options.Model, options.InputSize ?? shapes.InputSize, options.InChannels ?? shapes.InChannels,
                options.NumClasses ?? shapes.NumClasses, shapes.LearnSigma);
        }
        else if (contents.Metadata.TryGetValue(ConfigMetadataKey, out var json))
        {
            config = DiTConfig.FromJson(json);
        }
        else if (contents.Metadata.TryGetValue("args.ditml_config", out var argsJson))
        {
            config = DiTConfig.FromJson(argsJson);                         // written by `ditml convert` beside train.py's args
        }
        else if (contents.Metadata.TryGetValue("args.model", out var name))
        {
            int inputSize = options.InputSize ?? (contents.Metadata.TryGetValue("args.image_size", out var px) ? int.Parse(px, CultureInfo.InvariantCulture) / 8 : shapes.InputSize);
            int classes = options.NumClasses ?? (contents.Metadata.TryGetValue("args.num_classes", out var k) ? int.Parse(k, CultureInfo.InvariantCulture) : shapes.NumClasses);
            config = DiTConfig.FromName(name, inputSize, options.InChannels ?? shapes.InChannels, classes, shapes.LearnSigma);
        }
        else
        {
            var size = DiTModelSize.All.FirstOrDefault(s => s.Depth == shapes.Depth && s.HiddenSize == shapes.HiddenSize)
                ?? throw new ArgumentException(
                    $"{source}: carries no config and its sizes (depth {shapes.Depth}, width {shapes.HiddenSize}) are not a paper model; " +
                    "give the model name and sizes (--model, --input-size, --in-channels, --num-classes)");
            config = DiTConfig.FromName($"DiT-{size.Name}/{shapes.PatchSize}", options.InputSize ?? shapes.InputSize,
                options.InChannels ?? shapes.InChannels, options.NumClasses ?? shapes.NumClasses, shapes.LearnSigma);
        }
        if (options.Conditioning is { } conditioning) config = config with { Conditioning = conditioning };
        return config.Validate();
    }

    /// <summary>What the tensor shapes of a DiT state_dict tell about its config.</summary>
    private sealed record ShapeFacts(int HiddenSize, int InputSize, int PatchSize, int InChannels, int NumClasses, int Depth, bool LearnSigma)
    {
        public static ShapeFacts From(CheckpointContents contents, string source)
        {
            var t = contents.Tensors;
            CheckpointTensor Need(string key) => t.TryGetValue(key, out var v) ? v
                : throw new InvalidDataException($"{source}: not a DiT checkpoint: it has no '{key}' (first keys: {string.Join(", ", t.Keys.Take(5))})");
            var proj = Need("x_embedder.proj.weight");                     // (D, C, p, p)
            var pos = Need("pos_embed");                                    // (1, T, D)
            var table = Need("y_embedder.embedding_table.weight");          // (K [+1], D)
            var final = Need("final_layer.linear.weight");                  // (p·p·C_out, D)
            int d = (int)proj.Shape[0], c = (int)proj.Shape[1], p = (int)proj.Shape[2];
            int grid = (int)Math.Round(Math.Sqrt(pos.Shape[1]));
            int depth = t.Keys.Count(k => k.StartsWith("blocks.", StringComparison.Ordinal) && k.EndsWith(".mlp.fc1.weight", StringComparison.Ordinal));
            int outChannels = (int)(final.Shape[0] / (p * p));
            // Official DiTs train with class dropout, so the table has the null row.
            return new ShapeFacts(d, grid * p, p, c, (int)table.Shape[0] - 1, depth, outChannels == 2 * c);
        }
    }
}
