using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DitML.Models;

/// <summary>
/// The shape of latent DiffiT as NVIDIA released it (NVlabs/DiffiT): DiT's embedders, then blocks of pre-LN residual
/// time-dependent self-attention (TMSA, global over the token grid) and MLP with no adaLN, and an LN → SiLU → Linear
/// head. Defaults are the released "DiffiT-XL/2" for 256×256 ImageNet (32×32×4 latents, depth 28, width 1152, 16 heads,
/// 1000 classes, learned variance, class dropout 0.1). <see cref="FromName"/> also knows S/B/L/XL × 2/4/8 with DiT's
/// depths, widths and heads (only XL/2 was released).
/// </summary>
public sealed record LatentDiffiTConfig
{
    /// <summary>Spatial size I of the (square) latent the transformer sees (image size / 8 for SD-VAE latents).</summary>
    public int InputSize { get; init; } = 32;

    /// <summary>Patch size p; the sequence has (I/p)² tokens and attention spans all of them.</summary>
    public int PatchSize { get; init; } = 2;

    /// <summary>Input channels C (4 for SD-VAE latents).</summary>
    public int InChannels { get; init; } = 4;

    /// <summary>Token width D.</summary>
    public int HiddenSize { get; init; } = 1152;

    /// <summary>Number of DiffiT blocks (28 in the release; the class default and the paper's appendix say 30).</summary>
    public int Depth { get; init; } = 28;

    /// <summary>Attention heads; must divide <see cref="HiddenSize"/>.</summary>
    public int NumHeads { get; init; } = 16;

    /// <summary>MLP hidden width as a multiple of D.</summary>
    public double MlpRatio { get; init; } = 4.0;

    /// <summary>Number of classes; the label table has one more row (the null class) when <see cref="ClassDropoutProb"/> &gt; 0.</summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>Probability of replacing a label by the null class in training (enables classifier-free guidance).</summary>
    public double ClassDropoutProb { get; init; } = 0.1;

    /// <summary>Whether the model also predicts the variance (output channels 2C), as the released model does.</summary>
    public bool LearnSigma { get; init; } = true;

    /// <summary>The preset name ("DiffiT-XL/2") when the config is one of the twelve, else null.</summary>
    [JsonIgnore]
    public string? Name => DiTModelSize.All.FirstOrDefault(s => s.Depth == Depth && s.HiddenSize == HiddenSize && s.NumHeads == NumHeads) is { } size
        && MlpRatio == 4.0 && DiTModelSize.PaperPatchSizes.Contains(PatchSize) ? $"{Prefix}{size.Name}/{PatchSize}" : null;

    /// <summary>Output channels: 2C with learned variance, else C.</summary>
    [JsonIgnore]
    public int OutChannels => LearnSigma ? 2 * InChannels : InChannels;

    /// <summary>Patches per side W = I/p (the TMSA "window" is the whole grid).</summary>
    [JsonIgnore]
    public int GridSize => InputSize / PatchSize;

    /// <summary>Image tokens T = (I/p)².</summary>
    [JsonIgnore]
    public int NumPatches => GridSize * GridSize;

    /// <summary>Hidden width of the MLP.</summary>
    [JsonIgnore]
    public int MlpHiddenSize => (int)(HiddenSize * MlpRatio);

    /// <summary>Rows of the label table: the classes plus the null class when class dropout is on.</summary>
    [JsonIgnore]
    public int LabelTableSize => NumClasses + (ClassDropoutProb > 0 ? 1 : 0);

    /// <summary>Rows of each block's relative position bias table: (2W − 1)² offsets.</summary>
    [JsonIgnore]
    public int RelativePositionCount => (2 * GridSize - 1) * (2 * GridSize - 1);

    private const string Prefix = "DiffiT-";

    /// <summary>
    /// A preset by name: "DiffiT-XL/2" (the release), "DiffiT-B/4", … (also accepted: "diffit-xl-2").
    /// The other members keep their defaults unless given.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of the twelve.</exception>
    public static LatentDiffiTConfig FromName(string name, int inputSize = 32, int inChannels = 4, int numClasses = 1000, bool learnSigma = true)
    {
        ArgumentNullException.ThrowIfNull(name);
        var size = TryParse(name, out int patch);
        if (size == null)
            throw new ArgumentException($"Unknown DiffiT model '{name}'. Known: {string.Join(", ", PresetNames)}.", nameof(name));
        return new LatentDiffiTConfig
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

    /// <summary>True when <paramref name="name"/> names a latent DiffiT preset ("DiffiT-…").</summary>
    public static bool IsDiffiTName(string? name) => name != null && TryParse(name, out _) != null;

    /// <summary>The twelve preset names, "DiffiT-S/8" … "DiffiT-XL/2"; only "DiffiT-XL/2" was released.</summary>
    public static IReadOnlyList<string> PresetNames { get; } =
        DiTModelSize.All.SelectMany(s => DiTModelSize.PaperPatchSizes.Select(p => $"{Prefix}{s.Name}/{p}")).ToArray();

    /// <summary>Checks that the sizes fit together; returns this config.</summary>
    /// <exception cref="ArgumentException">Naming the member that is wrong and why.</exception>
    public LatentDiffiTConfig Validate()
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

    /// <summary>Serializes to JSON (the form stored in DitML checkpoints).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a config written by <see cref="ToJson"/>.</summary>
    public static LatentDiffiTConfig FromJson(string json) =>
        (JsonSerializer.Deserialize<LatentDiffiTConfig>(json, JsonOptions) ?? throw new ArgumentException("empty DiffiT config JSON", nameof(json))).Validate();

    private static DiTModelSize? TryParse(string name, out int patch)
    {
        patch = 0;
        string n = name.Trim().ToUpperInvariant().Replace('-', '/').Replace('_', '/');
        if (!n.StartsWith("DIFFIT/", StringComparison.Ordinal)) return null;
        var parts = n[7..].Split('/');
        var size = parts.Length == 2 ? DiTModelSize.All.FirstOrDefault(s => s.Name == parts[0]) : null;
        if (size == null || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out patch)
            || !DiTModelSize.PaperPatchSizes.Contains(patch))
            return null;
        return size;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static void Require(bool ok, string member, string message)
    {
        if (!ok) throw new ArgumentException($"DiffiT config {member}: {message}.", member);
    }
}
