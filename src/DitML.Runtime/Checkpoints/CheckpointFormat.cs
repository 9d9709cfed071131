namespace DitML.Checkpoints;

/// <summary>Checkpoint file formats.</summary>
public enum CheckpointFormat
{
    /// <summary>torch.save's zip format (.pt, .pth).</summary>
    PyTorch,

    /// <summary>safetensors.</summary>
    SafeTensors,
}
