namespace DitML.Checkpoints;

/// <summary>What a checkpoint file holds: named tensors in file order, and string metadata.</summary>
public sealed class CheckpointContents
{
    /// <summary>Creates the contents.</summary>
    public CheckpointContents(IReadOnlyDictionary<string, CheckpointTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        string? selectedEntry = null)
    {
        Tensors = tensors ?? throw new ArgumentNullException(nameof(tensors));
        Metadata = metadata ?? new Dictionary<string, string>();
        SelectedEntry = selectedEntry;
    }

    /// <summary>The tensors, by state_dict name, in the order the file stores them.</summary>
    public IReadOnlyDictionary<string, CheckpointTensor> Tensors { get; }

    /// <summary>
    /// String metadata: a safetensors file's <c>__metadata__</c>; for an official training dict, its argparse
    /// arguments as <c>args.NAME</c> (e.g. <c>args.model</c> = "DiT-XL/2", <c>args.image_size</c> = "256").
    /// </summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>For a training dict, the entry the tensors came from ("ema" or "model"); null for a bare state_dict.</summary>
    public string? SelectedEntry { get; }
}
