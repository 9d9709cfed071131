using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DitML.Models;

/// <summary>
/// The shape of a Diffusion Transformer. Defaults are DiT-XL/2 for 256×256 ImageNet through the Stable Diffusion VAE
/// (32×32×4 latents, 1000 classes, learned variance, class dropout 0.1). Use <see cref="FromName"/> for the paper's
/// twelve configs, or set the members for a free config on small data.
/// </summary>
public sealed record DiTConfig
{
    /// <summary>Spatial size I of the (square) input the transformer sees: latent size, or pixels for pixel-space models.</summary>
    public int InputSize { get; init; } = 32;

    /// <summary>Patch size p; the sequence has (I/p)² tokens.</summary>
    public int PatchSize { get; init; } = 2;

    /// <summary>Input channels C (4 for SD-VAE latents, 1 for grayscale pixels).</summary>
    public int InChannels { get; init; } = 4;

    /// <summary>Token width D.</summary>
    public int HiddenSize { get; init; } = 1152;

    /// <summary>Number of transformer blocks.</summary>
    public int Depth { get; init; } = 28;

    /// <summary>Attention heads; must divide <see cref="HiddenSize"/>.</summary>
    public int NumHeads { get; init; } = 16;

    /// <summary>MLP hidden width as a multiple of D.</summary>
    public double MlpRatio { get; init; } = 4.0;

    /// <summary>Number of classes; the label table has one more row (the null class) when <see cref="ClassDropoutProb"/> &gt; 0.</summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>Probability of replacing a label by the null class in training (enables classifier-free guidance).</summary>
    public double ClassDropoutProb { get; init; } = 0.1;

    /// <summary>Whether the model also predicts the variance (output channels 2C), as the paper's models do.</summary>
    public bool LearnSigma { get; init; } = true;

    /// <summary>How blocks are conditioned on timestep and class.</summary>
    public DiTConditioning Conditioning { get; init; } = DiTConditioning.AdaLNZero;

    /// <summary>Use DiffiT's time-dependent self-attention (TMSA) in every block instead of plain self-attention.</summary>
    public bool TimeDependentAttention { get; init; }

    /// <summary>The paper name ("DiT-XL/2") when the config is one of the twelve, else null.</summary>
    [JsonIgnore]
    public string? Name => DiTModelSize.All.FirstOrDefault(s => s.Depth == Depth && s.HiddenSize == HiddenSize && s.NumHeads == NumHeads) is { } size
        && MlpRatio == 4.0 && DiTModelSize.PaperPatchSizes.Contains(PatchSize) ? $"DiT-{size.Name}/{PatchSize}" : null;

    /// <summary>Output channels: 2C with learned variance, else C.</summary>
    [JsonIgnore]
    public int OutChannels => LearnSigma ? 2 * InChannels : InChannels;

    /// <summary>Patches per side, I/p.</summary>
    [JsonIgnore]
    public int GridSize => InputSize / PatchSize;

    /// <summary>Image tokens T = (I/p)².</summary>
    [JsonIgnore]
    public int NumPatches => GridSize * GridSize;

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore]
    public int HeadDim => HiddenSize / NumHeads;

    /// <summary>Hidden width of the MLP.</summary>
    [JsonIgnore]
    public int MlpHiddenSize => (int)(HiddenSize * MlpRatio);

    /// <summary>Rows of the label table: the classes plus the null class when class dropout is on.</summary>
    [JsonIgnore]
    public int LabelTableSize => NumClasses + (ClassDropoutProb > 0 ? 1 : 0);

    /// <summary>
    /// One of the paper's configs by name: "DiT-XL/2", "DiT-B/4", … (also accepted: "XL/2", "dit-xl-2").
    /// The other members keep their defaults unless given.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of the twelve.</exception>
    public static DiTConfig FromName(string name, int inputSize = 32, int inChannels = 4, int numClasses = 1000, bool learnSigma = true)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim().ToUpperInvariant().Replace('-', '/').Replace('_', '/');
        if (n.StartsWith("DIT/", StringComparison.Ordinal)) n = n[4..];
        var parts = n.Split('/');
        var size = parts.Length == 2 ? DiTModelSize.All.FirstOrDefault(s => s.Name == parts[0]) : null;
        if (size == null || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int patch)
            || !DiTModelSize.PaperPatchSizes.Contains(patch))
            throw new ArgumentException($"Unknown model '{name}'. Known: {string.Join(", ", PaperNames)}.", nameof(name));
        return new DiTConfig
        {
            Depth = size.Depth,
            HiddenSize = size.HiddenSize,
            NumHeads = size.NumHeads,
            PatchSize = patch,
            InputSize = inputSize,
            InChannels = inChannels,
            NumClasses = numClasses,
            LearnSigma = learnSigma,
        }.Validate();
    }

    /// <summary>The twelve paper names, "DiT-S/8" … "DiT-XL/2".</summary>
    public static IReadOnlyList<string> PaperNames { get; } =
        DiTModelSize.All.SelectMany(s => DiTModelSize.PaperPatchSizes.Select(p => $"DiT-{s.Name}/{p}")).ToArray();

    /// <summary>Checks that the sizes fit together; returns this config.</summary>
    /// <exception cref="ArgumentException">Naming the member that is wrong and why.</exception>
    public DiTConfig Validate()
    {
        Require(InputSize > 0, nameof(InputSize), $"must be positive, got {InputSize}");
        Require(PatchSize > 0, nameof(PatchSize), $"must be positive, got {PatchSize}");
        Require(InputSize % PatchSize == 0, nameof(PatchSize), $"{PatchSize} must divide the input size {InputSize}");
        Require(InChannels > 0, nameof(InChannels), $"must be positive, got {InChannels}");
        Require(HiddenSize > 0, nameof(HiddenSize), $"must be positive, got {HiddenSize}");
        Require(Depth > 0, nameof(Depth), $"must be positive, got {Depth}");
        Require(NumHeads > 0 && HiddenSize % NumHeads == 0, nameof(NumHeads), $"{NumHeads} must divide the hidden size {HiddenSize}");
        Require(HiddenSize % 4 == 0, nameof(HiddenSize), $"{HiddenSize} must be a multiple of 4 for the 2-D sin-cos position embedding");
        Require(MlpRatio > 0, nameof(MlpRatio), $"must be positive, got {MlpRatio}");
        Require(NumClasses > 0, nameof(NumClasses), $"must be positive, got {NumClasses}");
        Require(ClassDropoutProb is >= 0 and < 1, nameof(ClassDropoutProb), $"must be in [0, 1), got {ClassDropoutProb}");
        return this;
    }

    /// <summary>Serializes to JSON (the form stored in DitML checkpoints and ONNX metadata).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a config written by <see cref="ToJson"/>.</summary>
    public static DiTConfig FromJson(string json) =>
        (JsonSerializer.Deserialize<DiTConfig>(json, JsonOptions) ?? throw new ArgumentException("empty DiT config JSON", nameof(json))).Validate();

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static void Require(bool ok, string member, string message)
    {
        if (!ok) throw new ArgumentException($"DiT config {member}: {message}.", member);
    }
}
