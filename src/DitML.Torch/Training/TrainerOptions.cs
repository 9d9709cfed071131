using System.Text.Json.Serialization;
using DitML.Precision;

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

    /// <summary>The learning rate over the run, as a factor of <see cref="AdamWOptions.LearningRate"/> (constant by default, as the recipe).</summary>
    public LearningRateSchedule Schedule { get; init; } = new();

    /// <summary>The learning rate of the update taken at step <paramref name="step"/> (0-based).</summary>
    public double LearningRateAt(long step) => Optimizer.LearningRate * Schedule.FactorAt(step, Steps);

    /// <summary>EMA decay per step.</summary>
    public double EmaDecay { get; init; } = 0.9999;

    /// <summary>Clip the gradient norm to this value; null: no clipping (the recipe).</summary>
    public double? GradientClip { get; init; }

    /// <summary>Seed of everything random: initialization, batches, timesteps, noise, label dropout.</summary>
    public long Seed { get; init; }

    /// <summary>Steps between log lines.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>
    /// Steps between checkpoints (a checkpoint is also written at the end, on cancellation and when a step fails).
    /// </summary>
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>
    /// Also write a checkpoint when this much wall-clock time has passed since the last one (so a slow run loses at most
    /// this much work, whatever <see cref="CheckpointEvery"/> says); null: by steps only.
    /// </summary>
    public TimeSpan? CheckpointInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Randomly flip images horizontally (the recipe's augmentation; off for data where it changes meaning).</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>
    /// The compute precision of the forward and backward (<see cref="ComputePrecision.Fp32"/>, the default, or
    /// <see cref="ComputePrecision.Bf16"/>: bfloat16 matmuls, attention and convolutions). The master weights, AdamW
    /// moments, EMA and loss are float32 either way; a run resumes only in the precision it was started in, unless
    /// the resume overrides it.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ComputePrecision>))]
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    /// <summary>Checks the settings; returns this.</summary>
    public TrainerOptions Validate()
    {
        if (Steps <= 0) throw new ArgumentException($"Steps must be positive, got {Steps}", nameof(Steps));
        if (BatchSize <= 0) throw new ArgumentException($"BatchSize must be positive, got {BatchSize}", nameof(BatchSize));
        // Written as "not inside" so that NaN (for which every comparison is false) is refused too.
        if (!(EmaDecay >= 0 && EmaDecay <= 1)) throw new ArgumentException($"EmaDecay (--ema) must be in [0, 1], got {EmaDecay.ToString(System.Globalization.CultureInfo.InvariantCulture)}", nameof(EmaDecay));
        if (GradientClip is { } clip && !(clip > 0 && double.IsFinite(clip)))
            throw new ArgumentException($"GradientClip (--clip) must be positive and finite, got {clip.ToString(System.Globalization.CultureInfo.InvariantCulture)}", nameof(GradientClip));
        if (LogEvery <= 0 || CheckpointEvery <= 0) throw new ArgumentException("LogEvery and CheckpointEvery must be positive");
        if (CheckpointInterval is { } interval && interval <= TimeSpan.Zero)
            throw new ArgumentException($"CheckpointInterval must be positive, got {interval}", nameof(CheckpointInterval));
        if (!Enum.IsDefined(Precision)) throw new ArgumentException($"Precision (--precision) must be fp32 or bf16, got {Precision}", nameof(Precision));
        ArgumentNullException.ThrowIfNull(Optimizer);
        Optimizer.Validate();
        ArgumentNullException.ThrowIfNull(Schedule);
        Schedule.Validate();
        return this;
    }
}
