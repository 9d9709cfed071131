using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DitML.Sampling;

namespace DitML.Cli.Sweeps;

/// <summary>
/// A sweep as written in its JSON file: data, strategy (grid, random, halving), seed, budget per trial (or per first
/// rung), metric, classifier and reference statistics, and the search space. Read it with <see cref="Load"/> or
/// <see cref="Parse"/>, which validate everything that does not depend on the data.
/// </summary>
public sealed record SweepConfig
{
    /// <summary>Default classifier (the shipped Fashion-MNIST one), relative to the working directory.</summary>
    public const string DefaultClassifier = "examples/models/fashion-mnist/classifier.onnx";

    /// <summary>Default reference statistics (the Fashion-MNIST test set), relative to the working directory.</summary>
    public const string DefaultStatistics = "examples/models/fashion-mnist/test-stats.npz";

    /// <summary>"fashion-mnist", a folder of IDX files, or an image folder with a subfolder per class.</summary>
    [JsonPropertyName("data")] public string Data { get; init; } = "fashion-mnist";

    /// <summary>grid, random or halving.</summary>
    [JsonPropertyName("strategy")] public string Strategy { get; init; } = "grid";

    /// <summary>Seed of the random search and of every trial's training and sampling.</summary>
    [JsonPropertyName("seed")] public long Seed { get; init; }

    /// <summary>Random search (and optionally halving): how many combinations to draw.</summary>
    [JsonPropertyName("trials")] public int? Trials { get; init; }

    /// <summary>Successive halving: keep 1/eta of the trials per rung and multiply the budget by eta.</summary>
    [JsonPropertyName("eta")] public int Eta { get; init; } = 3;

    /// <summary>Successive halving: the most rungs to run (default: until one trial remains).</summary>
    [JsonPropertyName("rungs")] public int? Rungs { get; init; }

    /// <summary>Budget per trial (halving: of the first rung).</summary>
    [JsonPropertyName("budget")] public SweepBudget? Budget { get; init; }

    /// <summary>class-accuracy or fid.</summary>
    [JsonPropertyName("metric")] public string Metric { get; init; } = "class-accuracy";

    /// <summary>ONNX classifier giving features and class probabilities.</summary>
    [JsonPropertyName("classifier")] public string Classifier { get; init; } = DefaultClassifier;

    /// <summary>Reference feature statistics (.npz with mu and sigma) for FID.</summary>
    [JsonPropertyName("statistics")] public string Statistics { get; init; } = DefaultStatistics;

    /// <summary>Samples generated per class for each evaluation.</summary>
    [JsonPropertyName("samples_per_class")] public int SamplesPerClass { get; init; } = 10;

    /// <summary>EMA decay of training (the recipe's 0.9999 barely moves in a short trial; 0.999 suits small budgets).</summary>
    [JsonPropertyName("ema")] public double Ema { get; init; } = 0.9999;

    /// <summary>Steps between training log lines.</summary>
    [JsonPropertyName("log_every")] public int LogEvery { get; init; } = 50;

    /// <summary>The values searched.</summary>
    [JsonPropertyName("space")] public SweepSpace? Space { get; init; }

    /// <summary>The parsed strategy.</summary>
    [JsonIgnore] public SweepStrategy StrategyKind => ParseStrategy(Strategy);

    /// <summary>The parsed metric.</summary>
    [JsonIgnore] public SweepMetric MetricKind => ParseMetric(Metric);

    /// <summary>The space with defaults filled in (valid after <see cref="Validate"/>).</summary>
    [JsonIgnore]
    public SweepSpace ResolvedSpace => new()
    {
        Depth = Space!.Depth,
        HiddenSize = Space.HiddenSize,
        Heads = Space.Heads,
        Patch = Space.Patch,
        Lr = Space.Lr ?? [1e-4],
        Batch = Space.Batch ?? [64],
        Guidance = Space.Guidance ?? [1.5],
        Sampler = Space.Sampler ?? ["dpm++"],
        SamplingSteps = Space.SamplingSteps ?? [20],
    };

    /// <summary>Reads and validates a sweep file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ArgumentException">A setting is wrong (the message names it).</exception>
    public static SweepConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--config: no file {path}", path);
        return Parse(File.ReadAllText(path));
    }

    /// <summary>Parses and validates sweep JSON.</summary>
    /// <exception cref="ArgumentException">Malformed JSON or a wrong setting (the message names it).</exception>
    public static SweepConfig Parse(string json)
    {
        SweepConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<SweepConfig>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"sweep config: {e.Message}", nameof(json), e);
        }
        return (config ?? throw new ArgumentException("sweep config: empty JSON", nameof(json))).Validate();
    }

    /// <summary>Checks every setting that does not depend on the data; returns this config.</summary>
    /// <exception cref="ArgumentException">Naming the setting that is wrong.</exception>
    public SweepConfig Validate()
    {
        _ = StrategyKind;
        _ = MetricKind;
        if (string.IsNullOrWhiteSpace(Data)) Fail("data", "must name fashion-mnist or a folder");
        if (Budget is null || (Budget.Steps is null) == (Budget.Minutes is null)) Fail("budget", "give exactly one of { \"steps\": N } or { \"minutes\": M }");
        if (Budget!.Steps is <= 0) Fail("budget.steps", $"must be positive, got {Budget.Steps}");
        if (Budget.Minutes is { } m && !(m > 0)) Fail("budget.minutes", $"must be positive, got {m}");
        if (StrategyKind == SweepStrategy.Random && Trials is null) Fail("trials", "random search needs the number of trials");
        if (Trials is <= 0) Fail("trials", $"must be positive, got {Trials}");
        if (Eta < 2) Fail("eta", $"must be at least 2, got {Eta}");
        if (Rungs is <= 0) Fail("rungs", $"must be positive, got {Rungs}");
        if (SamplesPerClass <= 0) Fail("samples_per_class", $"must be positive, got {SamplesPerClass}");
        if (Ema is < 0 or > 1) Fail("ema", $"must be in [0, 1], got {Ema}");
        if (LogEvery <= 0) Fail("log_every", $"must be positive, got {LogEvery}");
        if (Space is null) Fail("space", "is empty: give at least depth, hidden_size, heads and patch");
        var s = Space!;
        if (s.Depth is null && s.HiddenSize is null && s.Heads is null && s.Patch is null && s.Lr is null && s.Batch is null
            && s.Guidance is null && s.Sampler is null && s.SamplingSteps is null)
            Fail("space", "is empty: give at least depth, hidden_size, heads and patch");
        Required(s.Depth, "space.depth");
        Required(s.HiddenSize, "space.hidden_size");
        Required(s.Heads, "space.heads");
        Required(s.Patch, "space.patch");
        var r = ResolvedSpace;
        NonEmpty(r.Lr!, "space.lr");
        NonEmpty(r.Batch!, "space.batch");
        NonEmpty(r.Guidance!, "space.guidance");
        NonEmpty(r.Sampler!, "space.sampler");
        NonEmpty(r.SamplingSteps!, "space.sampling_steps");
        Positive(r.Depth!, "space.depth");
        Positive(r.HiddenSize!, "space.hidden_size");
        Positive(r.Heads!, "space.heads");
        Positive(r.Patch!, "space.patch");
        Positive(r.Batch!, "space.batch");
        Positive(r.SamplingSteps!, "space.sampling_steps");
        foreach (double lr in r.Lr!) if (!(lr > 0)) Fail("space.lr", $"must be positive, got {lr.ToString(CultureInfo.InvariantCulture)}");
        foreach (double g in r.Guidance!) if (!(g >= 1)) Fail("space.guidance", $"must be at least 1 (1 disables guidance), got {g.ToString(CultureInfo.InvariantCulture)}");
        foreach (string name in r.Sampler!)
        {
            try
            {
                SamplerOptions.ParseSampler(name);
            }
            catch (ArgumentException)
            {
                Fail("space.sampler", $"unknown sampler '{name}': use one of {string.Join(", ", SamplerOptions.SamplerNames)}");
            }
        }
        foreach (int width in r.HiddenSize!)
        {
            if (width % 4 != 0) Fail("space.hidden_size", $"{width} must be a multiple of 4 (2-D sin-cos position embedding)");
            foreach (int heads in r.Heads!)
                if (width % heads != 0) Fail("space.heads", $"{heads} heads do not divide hidden_size {width}");
        }
        return this;
    }

    /// <summary>Checks the settings that depend on the data: every patch size must divide the image size.</summary>
    /// <exception cref="ArgumentException">Naming space.patch.</exception>
    public void ValidateFor(int imageSize)
    {
        foreach (int p in Space!.Patch!)
            if (imageSize % p != 0) Fail("space.patch", $"{p} does not divide the image size {imageSize}");
    }

    /// <summary>Parses grid, random or halving.</summary>
    public static SweepStrategy ParseStrategy(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "grid" => SweepStrategy.Grid,
        "random" => SweepStrategy.Random,
        "halving" or "successive-halving" => SweepStrategy.Halving,
        _ => throw new ArgumentException($"sweep config strategy: unknown strategy '{name}': use grid, random or halving", "strategy"),
    };

    /// <summary>Parses class-accuracy or fid.</summary>
    public static SweepMetric ParseMetric(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "class-accuracy" or "class_accuracy" or "accuracy" => SweepMetric.ClassAccuracy,
        "fid" => SweepMetric.Fid,
        _ => throw new ArgumentException($"sweep config metric: unknown metric '{name}': use class-accuracy or fid", "metric"),
    };

    private static void Required<T>(IReadOnlyList<T>? values, string name)
    {
        if (values is null) Fail(name, "is missing");
        NonEmpty(values!, name);
    }

    private static void NonEmpty<T>(IReadOnlyList<T> values, string name)
    {
        if (values.Count == 0) Fail(name, "is empty");
    }

    private static void Positive(IReadOnlyList<int> values, string name)
    {
        foreach (int v in values) if (v <= 0) Fail(name, $"must be positive, got {v}");
    }

    private static void Fail(string setting, string message) =>
        throw new ArgumentException($"sweep config {setting}: {message}", setting);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
