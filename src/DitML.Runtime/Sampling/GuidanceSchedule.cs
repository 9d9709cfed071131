using System.Globalization;
using System.Text.Json.Serialization;

namespace DitML.Sampling;

/// <summary>
/// The classifier-free guidance scale as a function of the step: constant, or latent DiffiT's power-cosine ramp
/// (<see cref="GuidanceScheduleKind.PowerCosine"/>). Applied by every sampler (through its guided denoiser) to the
/// scale <see cref="SamplerOptions.GuidanceScale"/> names.
/// </summary>
public sealed record GuidanceSchedule
{
    /// <summary>The release's exponent of the power-cosine ramp (<c>scale_pow</c> = 4).</summary>
    public const double DefaultPower = 4;

    /// <summary>Constant or power-cosine.</summary>
    public GuidanceScheduleKind Kind { get; init; }

    /// <summary>The exponent k of the power-cosine ramp (ignored when constant).</summary>
    public double Power { get; init; } = DefaultPower;

    /// <summary>The same scale at every step.</summary>
    public static GuidanceSchedule Constant { get; } = new();

    /// <summary>Latent DiffiT's ramp with exponent <paramref name="power"/> (the release's 4).</summary>
    public static GuidanceSchedule PowerCosine(double power = DefaultPower) => new GuidanceSchedule { Kind = GuidanceScheduleKind.PowerCosine, Power = power }.Validate();

    /// <summary>
    /// The scale at original step index <paramref name="t"/> (fractional allowed) of a <paramref name="trainingSteps"/>-step
    /// schedule: s, or 1 + (s − 1)·½(1 − cos(π·(1 − t/T)^k)). E.g. s = 4.4, T = 1000, k = 4: s(999) ≈ 1, s(159) ≈ 2.7, s(0) = 4.4.
    /// </summary>
    public double ScaleAt(double scale, double t, int trainingSteps)
    {
        if (Kind == GuidanceScheduleKind.Constant) return scale;
        double progress = Math.Clamp(1 - t / trainingSteps, 0, 1);
        return 1 + (scale - 1) * 0.5 * (1 - Math.Cos(Math.PI * Math.Pow(progress, Power)));
    }

    /// <summary>Checks the exponent; returns this.</summary>
    /// <exception cref="ArgumentException">The power is not a positive finite number.</exception>
    public GuidanceSchedule Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"unknown guidance schedule {Kind}", nameof(Kind));
        if (!(Power > 0) || !double.IsFinite(Power)) throw new ArgumentException($"the guidance schedule's Power must be positive and finite, got {Power}", nameof(Power));
        return this;
    }

    /// <summary>The metadata text: "constant" or "power-cosine" (the exponent is stored beside it).</summary>
    [JsonIgnore]
    public string KindText => Kind == GuidanceScheduleKind.PowerCosine ? "power-cosine" : "constant";

    /// <summary>Reads <see cref="KindText"/> and an exponent (as written by the exporters; null power: the default).</summary>
    /// <exception cref="ArgumentException">An unknown name or a bad exponent.</exception>
    public static GuidanceSchedule Parse(string kind, string? power = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind.Trim().ToLowerInvariant() switch
        {
            "constant" => Constant,
            "power-cosine" => PowerCosine(power is null ? DefaultPower : double.Parse(power, CultureInfo.InvariantCulture)),
            _ => throw new ArgumentException($"unknown guidance schedule '{kind}': use constant or power-cosine", nameof(kind)),
        };
    }
}
