using System.Text.Json.Serialization;

namespace DitML.Cli.Sweeps;

/// <summary>Training budget of one trial (or of the first rung of successive halving): optimizer steps or wall-clock minutes.</summary>
public sealed record SweepBudget
{
    /// <summary>Optimizer steps, or null when the budget is in minutes.</summary>
    [JsonPropertyName("steps")]
    public long? Steps { get; init; }

    /// <summary>Wall-clock minutes of training, or null when the budget is in steps.</summary>
    [JsonPropertyName("minutes")]
    public double? Minutes { get; init; }

    /// <summary>The budget's amount in its unit (steps or minutes).</summary>
    [JsonIgnore]
    public double Amount => Steps ?? Minutes ?? 0;

    /// <summary>True when the budget counts minutes.</summary>
    [JsonIgnore]
    public bool IsMinutes => Steps is null;

    /// <summary>This budget multiplied by <paramref name="factor"/> (steps rounded to the nearest whole step).</summary>
    public SweepBudget Times(double factor) => Steps is { } s
        ? new SweepBudget { Steps = (long)Math.Round(s * factor) }
        : new SweepBudget { Minutes = Minutes * factor };

    /// <inheritdoc/>
    public override string ToString() => Steps is { } s ? $"{s} steps" : $"{Minutes:0.##} min";
}
