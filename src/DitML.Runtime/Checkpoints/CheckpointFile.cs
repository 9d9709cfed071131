namespace DitML.Checkpoints;

/// <summary>Reads any checkpoint DitML knows, telling the format from the file's first bytes, and converts between formats.</summary>
public static class CheckpointFile
{
    /// <summary>
    /// Reads a PyTorch zip checkpoint (.pt, .pth) or a safetensors file. Training checkpoints — the official dict
    /// {"model", "ema", "opt", "args"} or DitML's checkpoint.safetensors ("model.*", "ema.*", optimizer moments) — yield
    /// the weights <paramref name="weights"/> selects (the EMA by default, as the official sampler does).
    /// </summary>
    public static CheckpointContents Read(string path, CheckpointWeights weights = CheckpointWeights.Auto) => DetectFormat(path) switch
    {
        CheckpointFormat.PyTorch => PyTorchCheckpoint.Read(path, weights),
        _ => SelectTrainingEntry(SafeTensorsFile.Read(path), weights),
    };

    /// <summary>
    /// Opens a checkpoint as <see cref="Read"/> does, but with deferred tensors: the file's structure is read and checked
    /// now, each tensor's bytes only when its <see cref="CheckpointTensor.Data"/> is asked for. Loading a model from it
    /// one tensor at a time (<c>ModelStateDict.Load</c>) then never holds a second copy of the weights, and the tensors
    /// of a training checkpoint that are not selected (the other weights, the optimizer moments) are never read.
    /// </summary>
    public static CheckpointContents Open(string path, CheckpointWeights weights = CheckpointWeights.Auto) => DetectFormat(path) switch
    {
        CheckpointFormat.PyTorch => PyTorchCheckpoint.Open(path, weights),
        _ => SelectTrainingEntry(SafeTensorsFile.Open(path), weights),
    };

    /// <summary>A DitML training checkpoint holds "model.*" and "ema.*" tensors: keep the selected set, prefix removed.</summary>
    private static CheckpointContents SelectTrainingEntry(CheckpointContents contents, CheckpointWeights weights)
    {
        bool hasModel = contents.Tensors.Keys.Any(k => k.StartsWith("model.", StringComparison.Ordinal));
        bool hasEma = contents.Tensors.Keys.Any(k => k.StartsWith("ema.", StringComparison.Ordinal));
        if (!hasModel || !hasEma) return contents;                      // a bare state_dict: nothing to select, as for .pt files
        string entry = weights == CheckpointWeights.Model ? "model" : "ema";
        string prefix = entry + ".";
        var tensors = contents.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        return new CheckpointContents(tensors, contents.Metadata, entry);
    }

    /// <summary>Writes tensors in the format the extension names (.safetensors, else PyTorch's).</summary>
    public static void Write(string path, IReadOnlyDictionary<string, CheckpointTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (FormatOfExtension(path) == CheckpointFormat.SafeTensors) SafeTensorsFile.Write(path, tensors, metadata);
        else PyTorchCheckpoint.Write(path, tensors);
    }

    /// <summary>Converts <paramref name="input"/> to <paramref name="output"/>, tensor names and values kept; returns the tensor count.</summary>
    public static int Convert(string input, string output, CheckpointWeights weights = CheckpointWeights.Auto)
    {
        var contents = Open(input, weights);                   // one tensor in memory at a time (read as it is written)
        Write(output, contents.Tensors, contents.Metadata);
        return contents.Tensors.Count;
    }

    /// <summary>The format of an existing file, from its content.</summary>
    /// <exception cref="InvalidDataException">Neither format.</exception>
    public static CheckpointFormat DetectFormat(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        using var s = File.OpenRead(path);
        Span<byte> head = stackalloc byte[9];
        int n = s.Read(head);
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K') return CheckpointFormat.PyTorch;
        s.Close();
        if (LegacyPyTorchFormat.Recognizes(path)) return CheckpointFormat.PyTorch;            // torch.save before 1.6
        if (n == 9 && head[8] == (byte)'{') return CheckpointFormat.SafeTensors;
        throw new InvalidDataException($"{path}: neither a PyTorch checkpoint (zip or legacy torch.save) nor a safetensors file");
    }

    /// <summary>The format an output path asks for by its extension.</summary>
    public static CheckpointFormat FormatOfExtension(string path) =>
        Path.GetExtension(path).Equals(".safetensors", StringComparison.OrdinalIgnoreCase) ? CheckpointFormat.SafeTensors : CheckpointFormat.PyTorch;
}
