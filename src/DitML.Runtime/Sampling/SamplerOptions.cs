using System.Globalization;

namespace DitML.Sampling;

/// <summary>Sampling settings. Defaults: DPM-Solver++(2M), 20 steps, guidance 4 (the paper's setting for pictures).</summary>
public sealed record SamplerOptions
{
    /// <summary>Which sampler.</summary>
    public SamplerKind Sampler { get; init; } = SamplerKind.DpmSolverPlusPlus;

    /// <summary>Sampler steps (network evaluations for all but Heun, which takes 2·steps − 1).</summary>
    public int Steps { get; init; } = 20;

    /// <summary>DDIM's η: 0 deterministic, 1 as stochastic as DDPM.</summary>
    public double Eta { get; init; }

    /// <summary>The paper's guidance scale for pictures (DiT §5: s = 4), used where neither the caller nor the model names one.</summary>
    public const double DefaultGuidanceScale = 4.0;

    /// <summary>
    /// Classifier-free guidance scale s: ε = ε_u + s·(ε_c − ε_u); 1 disables guidance (one evaluation per step). Null (the
    /// default) takes the scale the model recommends when opened with <c>DiffusionGenerator</c> (its ONNX metadata), and
    /// <see cref="DefaultGuidanceScale"/> elsewhere. The one place a sampling guidance scale is set: nothing overrides it.
    /// </summary>
    public double? GuidanceScale { get; init; }

    /// <summary>
    /// Guide only the first 3 channels, as the official DiT code does (a quirk inherited from GLIDE) and latent DiffiT's
    /// release does; needed to reproduce published numbers. Default false: all channels (a model whose metadata asks for
    /// 3, latent DiffiT, gets 3 from <c>DiffusionGenerator</c> either way).
    /// </summary>
    public bool GuideFirstThreeChannels { get; init; }

    /// <summary>
    /// How the guidance scale varies over the steps. Null (the default) takes the model's schedule when opened with
    /// <c>DiffusionGenerator</c> (its ONNX metadata: latent DiffiT at latent ≤ 32 asks for
    /// <see cref="GuidanceScheduleKind.PowerCosine"/>), and <see cref="GuidanceSchedule.Constant"/> elsewhere.
    /// </summary>
    public GuidanceSchedule? GuidanceSchedule { get; init; }

    /// <summary>
    /// Clip the predicted x₀ to [−1, 1] at every step. Pixel-space models need it (DiffusionGenerator turns it on for
    /// them); the official latent sampler does not clip.
    /// </summary>
    public bool ClipDenoised { get; init; }

    /// <summary>Rows evaluated together.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Checks every setting against the schedule's <paramref name="trainingSteps"/>; returns this.</summary>
    /// <exception cref="ArgumentException">Naming the setting and its value.</exception>
    public SamplerOptions Validate(int trainingSteps = 1000)
    {
        if (Steps <= 0) throw new ArgumentException($"Steps must be positive, got {Steps}", nameof(Steps));
        if (Steps > trainingSteps) throw new ArgumentException($"Steps ({Steps}) cannot exceed the model's {trainingSteps} training steps", nameof(Steps));
        if (Eta < 0 || double.IsNaN(Eta)) throw new ArgumentException($"Eta must be ≥ 0, got {Eta}", nameof(Eta));
        if (GuidanceScale is { } g && (g < 0 || !double.IsFinite(g))) throw new ArgumentException($"GuidanceScale must be finite and ≥ 0, got {GuidanceScale}", nameof(GuidanceScale));
        GuidanceSchedule?.Validate();
        if (BatchSize <= 0) throw new ArgumentException($"BatchSize must be positive, got {BatchSize}", nameof(BatchSize));
        if (!Enum.IsDefined(Sampler)) throw new ArgumentException($"unknown sampler {Sampler}", nameof(Sampler));
        return this;
    }

    /// <summary>Names accepted by <see cref="ParseSampler"/>.</summary>
    public static IReadOnlyList<string> SamplerNames { get; } = ["ddpm", "ddim", "dpm++", "heun"];

    /// <summary>Parses "ddpm", "ddim", "dpm++" (also "dpmpp", "dpm-solver++") or "heun" (also "edm").</summary>
    /// <exception cref="ArgumentException">Unknown name, listing the valid ones.</exception>
    public static SamplerKind ParseSampler(string name) => name?.Trim().ToLower(CultureInfo.InvariantCulture) switch
    {
        "ddpm" => SamplerKind.Ddpm,
        "ddim" => SamplerKind.Ddim,
        "dpm++" or "dpmpp" or "dpm-solver++" or "dpmsolver++" => SamplerKind.DpmSolverPlusPlus,
        "heun" or "edm" => SamplerKind.Heun,
        _ => throw new ArgumentException($"unknown sampler '{name}': use one of {string.Join(", ", SamplerNames)}", nameof(name)),
    };
}
