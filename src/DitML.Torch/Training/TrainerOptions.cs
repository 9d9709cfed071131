namespace DitML.Training;

/// <summary>Training settings; defaults follow the DiT recipe (AdamW 1e-4, no decay, EMA 0.9999, batch 256, no clipping).</summary>
public sealed record TrainerOptions
{
    /// <summary>Optimizer steps to reach (a resumed run continues up to this step).</summary>
    public long Steps { get; init; } = 1000;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>AdamW settings.</summary>
    public AdamWOptions Optimizer { get; init; } = new();

    /// <summary>EMA decay per step.</summary>
    public double EmaDecay { get; init; } = 0.9999;

    /// <summary>Clip the gradient norm to this value; null: no clipping (the recipe).</summary>
    public double? GradientClip { get; init; }

    /// <summary>Seed of everything random: initialization, batches, timesteps, noise, label dropout.</summary>
    public long Seed { get; init; }

    /// <summary>Steps between log lines.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>Steps between checkpoints (a checkpoint is also written at the end and on cancellation).</summary>
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>Randomly flip images horizontally (the recipe's augmentation; off for data where it changes meaning).</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>Checks the settings; returns this.</summary>
    public TrainerOptions Validate()
    {
        if (Steps <= 0) throw new ArgumentException($"Steps must be positive, got {Steps}", nameof(Steps));
        if (BatchSize <= 0) throw new ArgumentException($"BatchSize must be positive, got {BatchSize}", nameof(BatchSize));
        if (EmaDecay is < 0 or > 1) throw new ArgumentException($"EmaDecay must be in [0, 1], got {EmaDecay}", nameof(EmaDecay));
        if (GradientClip is <= 0) throw new ArgumentException($"GradientClip must be positive, got {GradientClip}", nameof(GradientClip));
        if (LogEvery <= 0 || CheckpointEvery <= 0) throw new ArgumentException("LogEvery and CheckpointEvery must be positive");
        Optimizer.Validate();
        return this;
    }
}
