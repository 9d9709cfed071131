namespace DitML.Checkpoints;

/// <summary>Which weights to take from a training checkpoint that holds both the raw model and its EMA.</summary>
public enum CheckpointWeights
{
    /// <summary>The EMA weights when present (as the official sampler does), else the model's.</summary>
    Auto,

    /// <summary>The EMA weights; an error when the file has none.</summary>
    Ema,

    /// <summary>The raw (non-averaged) model weights.</summary>
    Model,
}
