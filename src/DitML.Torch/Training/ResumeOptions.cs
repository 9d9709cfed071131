using System.Globalization;
using DitML.Models;
using DitML.Precision;

namespace DitML.Training;

/// <summary>
/// What a resumed run is asked for. A null setting keeps the stored run's; a given one must equal it, unless its name is
/// in <see cref="Overrides"/> (then the run continues with the new value). <see cref="Steps"/> may always change the target.
/// </summary>
public sealed record ResumeOptions
{
    /// <summary>The names of the settings <see cref="Overrides"/> accepts (as the CLI's options: "batch", "lr"...).</summary>
    public static IReadOnlyList<string> OverridableSettings { get; } = ["data", "batch", "lr", "ema", "seed", "clip", "flip", "precision"];

    /// <summary>New target step count; null continues toward the stored one.</summary>
    public long? Steps { get; init; }

    /// <summary>Blocks asked for (architecture settings can never be overridden: the weights would not fit).</summary>
    public int? Depth { get; init; }

    /// <summary>Width asked for.</summary>
    public int? HiddenSize { get; init; }

    /// <summary>Attention heads asked for.</summary>
    public int? NumHeads { get; init; }

    /// <summary>Patch size asked for.</summary>
    public int? PatchSize { get; init; }

    /// <summary>Images per step asked for.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Learning rate asked for.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Warm-up steps of the learning-rate schedule asked for (changes with the "lr" override, as the rate does).</summary>
    public long? WarmupSteps { get; init; }

    /// <summary>Decay of the learning-rate schedule asked for (the "lr" override).</summary>
    public LearningRateDecay? Decay { get; init; }

    /// <summary>Step the learning-rate decay starts from, asked for (the "lr" override).</summary>
    public long? DecayStartStep { get; init; }

    /// <summary>Fraction of the peak rate the decay ends at, asked for (the "lr" override).</summary>
    public double? FinalFraction { get; init; }

    /// <summary>EMA decay asked for.</summary>
    public double? EmaDecay { get; init; }

    /// <summary>Seed asked for.</summary>
    public long? Seed { get; init; }

    /// <summary>Gradient clipping asked for (<see cref="ClipGiven"/> says whether it was given at all).</summary>
    public double? GradientClip { get; init; }

    /// <summary>Whether <see cref="GradientClip"/> was given (null then means "no clipping").</summary>
    public bool ClipGiven { get; init; }

    /// <summary>Horizontal flips asked for.</summary>
    public bool? HorizontalFlip { get; init; }

    /// <summary>Compute precision asked for (a bf16 run continued in fp32, or the reverse, changes every later step's numbers).</summary>
    public ComputePrecision? Precision { get; init; }

    /// <summary>Steps between log lines (may change freely: it changes no result).</summary>
    public int? LogEvery { get; init; }

    /// <summary>Steps between checkpoints (may change freely).</summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>Settings allowed to differ from the stored run (names from <see cref="OverridableSettings"/>).</summary>
    public IReadOnlySet<string> Overrides { get; init; } = new HashSet<string>();

    /// <summary>
    /// The options the resumed run trains with: the stored ones with the target and every allowed change applied.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Settings differ from the stored run without being overridden (the message names each, stored and asked), or an
    /// override names an unknown setting or the architecture.
    /// </exception>
    public TrainerOptions Apply(DiTConfig storedConfig, TrainerOptions stored, DataSummary? storedData, DataSummary data)
    {
        ArgumentNullException.ThrowIfNull(storedConfig);
        return Apply((storedConfig.Depth, storedConfig.HiddenSize, storedConfig.NumHeads, storedConfig.PatchSize), stored, storedData, data);
    }

    /// <summary>As for a DiT run, for a latent DiffiT run (its depth, width, heads and patch cannot change either).</summary>
    /// <exception cref="ArgumentException">As the DiT overload.</exception>
    public TrainerOptions Apply(LatentDiffiTConfig storedConfig, TrainerOptions stored, DataSummary? storedData, DataSummary data)
    {
        ArgumentNullException.ThrowIfNull(storedConfig);
        return Apply((storedConfig.Depth, storedConfig.HiddenSize, storedConfig.NumHeads, storedConfig.PatchSize), stored, storedData, data);
    }

    private TrainerOptions Apply((int Depth, int HiddenSize, int NumHeads, int PatchSize) storedConfig, TrainerOptions stored, DataSummary? storedData, DataSummary data)
    {
        ArgumentNullException.ThrowIfNull(stored);
        foreach (var name in Overrides)
            if (!OverridableSettings.Contains(name))
                throw new ArgumentException($"--override {name}: not a setting that can change on resume (one of {string.Join(", ", OverridableSettings)}; the architecture never can)", nameof(Overrides));
        var refused = new List<string>();
        var options = stored;
        foreach (var (name, was, asked) in new (string, int, int?)[]
        {
            ("depth", storedConfig.Depth, Depth), ("hidden-size", storedConfig.HiddenSize, HiddenSize),
            ("heads", storedConfig.NumHeads, NumHeads), ("patch", storedConfig.PatchSize, PatchSize),
        })
            if (asked is { } value && value != was) refused.Add(Describe(name, was, value) + " (the architecture cannot be overridden)");
        // name: the override that allows the change; shown: the option named in a refusal (the same, but for the schedule's).
        void Check<T>(string name, T? asked, T was, Func<TrainerOptions, T, TrainerOptions> set, string? shown = null) where T : struct
        {
            if (asked is not { } value || EqualityComparer<T>.Default.Equals(value, was)) return;
            if (Overrides.Contains(name)) options = set(options, value);
            else refused.Add(Describe(shown ?? name, was, value));
        }
        if (storedData is { } before && before != data)
        {
            if (!Overrides.Contains("data")) refused.Add($"data: the run trained on {before}, this data is {data}");
        }
        Check("batch", BatchSize, stored.BatchSize, (o, v) => o with { BatchSize = v });
        Check("lr", LearningRate, stored.Optimizer.LearningRate, (o, v) => o with { Optimizer = o.Optimizer with { LearningRate = v } });
        // The schedule is part of the learning rate: one override ("lr") covers both.
        Check("lr", WarmupSteps, stored.Schedule.WarmupSteps, (o, v) => o with { Schedule = o.Schedule with { WarmupSteps = v } }, "lr-warmup");
        Check("lr", Decay, stored.Schedule.Decay, (o, v) => o with { Schedule = o.Schedule with { Decay = v } }, "lr-decay");
        Check("lr", DecayStartStep, stored.Schedule.DecayStartStep, (o, v) => o with { Schedule = o.Schedule with { DecayStartStep = v } }, "lr-decay-start");
        Check("lr", FinalFraction, stored.Schedule.FinalFraction, (o, v) => o with { Schedule = o.Schedule with { FinalFraction = v } }, "lr-final");
        Check("ema", EmaDecay, stored.EmaDecay, (o, v) => o with { EmaDecay = v });
        Check("seed", Seed, stored.Seed, (o, v) => o with { Seed = v });
        Check("flip", HorizontalFlip, stored.HorizontalFlip, (o, v) => o with { HorizontalFlip = v });
        Check("precision", Precision, stored.Precision, (o, v) => o with { Precision = v });
        if (ClipGiven && GradientClip != stored.GradientClip)
        {
            if (Overrides.Contains("clip")) options = options with { GradientClip = GradientClip };
            else refused.Add(Describe("clip", stored.GradientClip, GradientClip));
        }
        if (refused.Count > 0)
            throw new ArgumentException(
                $"the resumed run differs from the stored one: {string.Join("; ", refused)}. Drop these settings to continue the run as it was, "
                + "or list the ones to change with --override (e.g. --override lr,batch)");
        if (Steps is { } steps) options = options with { Steps = steps };
        if (LogEvery is { } log) options = options with { LogEvery = log };
        if (CheckpointEvery is { } every) options = options with { CheckpointEvery = every };
        return options.Validate();
    }

    private static string Describe(string name, object? was, object? asked) =>
        string.Create(CultureInfo.InvariantCulture, $"{name}: stored {Show(was)}, asked {Show(asked)}");

    private static string Show(object? value) => value switch
    {
        null => "none",
        ComputePrecision p => ComputePrecisionNames.Format(p),
        LearningRateDecay d => d.ToString().ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
