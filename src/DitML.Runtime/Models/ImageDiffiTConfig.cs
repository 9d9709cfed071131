using System.Text.Json;
using System.Text.Json.Serialization;

namespace DitML.Models;

/// <summary>
/// The shape of image-space DiffiT (Hatamizadeh et al., ECCV 2024, §3.3 and App. H/I): a symmetric U-shaped
/// encoder/decoder on pixels with a convolutional tokenizer and head, DiffiT ResBlocks (GN → SiLU → Conv3×3, then a
/// DiffiT transformer block whose TMSA runs on non-overlapping windows), convolutional down/upsampling between
/// resolutions, a skip connection at every resolution, and time entering only through the time token of every TMSA.
/// Trained and sampled with EDM (<see cref="DitML.Diffusion.EdmSettings"/>). Defaults are the paper's CIFAR-10 model
/// (<see cref="Cifar10"/>).
/// <para>What the paper states: stages 32/16/8 (CIFAR-10) and 64/32/16/8 (FFHQ-64), width 128 in the first stage and
/// 256 after, window 4 (CIFAR-10) and 8 (FFHQ-64), time embedding width 512 (its best ablation). What it leaves open
/// and DitML chooses (each a member here, so a free config can choose otherwise):</para>
/// <list type="bullet">
/// <item><b>Blocks per stage</b>: the paper conflicts (App. H.1: 4 per stage; App. I.1: CIFAR-10 2,2,2 and FFHQ-64
/// 1,2,2,2). DitML takes App. I.1: it is the implementation appendix and its per-stage list (1,2,2,2) is too specific to
/// be a slip, while "4 each" reads as a summary. The same count is used in the encoder and in the decoder.</item>
/// <item><b>Heads</b>: channels / <see cref="HeadDim"/> with 64 channels per head (ADM's and EDM's ADM setting): 2 heads
/// at 128, 4 at 256.</item>
/// <item><b>MLP ratio</b> 4 (latent DiffiT's); <b>GroupNorm</b> 32 groups, eps 1e-5 (DDPM/ADM/EDM); LayerNorms without
/// affine, eps 1e-6 (latent DiffiT's); <b>no dropout</b>.</item>
/// <item><b>Width changes</b> happen only in the down/upsampling convolutions and skip merges, so a ResBlock never
/// changes width and needs no projection on its residual.</item>
/// <item><b>Downsampling</b> Conv3×3 stride 2 (pad 1) from the stage's width to the next's; <b>upsampling</b> nearest ×2
/// then Conv3×3 back to the shallower width (the paper reports bilinear resizing as equally good).</item>
/// <item><b>Skip merge</b>: concatenation, then a 1×1 convolution (2C → C), "the conv at the start of each path that
/// matches channel counts"; at every resolution but the deepest, where the decoder continues from the encoder's
/// output itself.</item>
/// <item><b>Time token</b>: 256 sinusoidal features of EDM's c_noise → Linear → SiLU (Swish) → Linear, width
/// <see cref="TimeEmbedDim"/>, shared by all blocks; each TMSA maps it to its own width with its own Linear
/// (<c>qkv_temb</c>, with bias, as latent DiffiT). A class label, when the model is conditional, is an embedding of the
/// same width added to it (null class = <see cref="NumClasses"/>, for classifier-free guidance).</item>
/// <item><b>Relative position bias</b>: one ((2w − 1)², heads) table per TMSA, shared by its windows.</item>
/// <item><b>Head</b>: GN → SiLU → Conv3×3, zero-initialized (a new network outputs 0, so D(x; σ) = c_skip·x).</item>
/// </list>
/// </summary>
public sealed record ImageDiffiTConfig
{
    /// <summary>Side of the square images (every stage's resolution must be divisible by <see cref="WindowSize"/>).</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>Image channels (3 for RGB; the output has as many).</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Width of each stage, shallowest first; stage s runs at ImageSize / 2^s (paper: 128, then 256).</summary>
    public IReadOnlyList<int> StageChannels { get; init; } = [128, 256, 256];

    /// <summary>DiffiT ResBlocks per stage, in the encoder and again in the decoder (App. I.1's counts; see the class docs).</summary>
    public IReadOnlyList<int> BlocksPerStage { get; init; } = [2, 2, 2];

    /// <summary>Side w of TMSA's non-overlapping windows (4 for CIFAR-10, 8 for FFHQ-64).</summary>
    public int WindowSize { get; init; } = 4;

    /// <summary>Channels per attention head (DitML's choice: 64, as ADM).</summary>
    public int HeadDim { get; init; } = 64;

    /// <summary>MLP hidden width as a multiple of the stage's width.</summary>
    public double MlpRatio { get; init; } = 4.0;

    /// <summary>GroupNorm groups; must divide every stage's width.</summary>
    public int GroupNormGroups { get; init; } = 32;

    /// <summary>Width of the time token (the paper's best ablation: 512).</summary>
    public int TimeEmbedDim { get; init; } = 512;

    /// <summary>Number of classes; 0 for an unconditional model (the paper's CIFAR-10 and FFHQ-64 models).</summary>
    public int NumClasses { get; init; }

    /// <summary>Probability of replacing a label by the null class in training (conditional models; enables guidance).</summary>
    public double ClassDropoutProb { get; init; } = 0.1;

    /// <summary>The paper's CIFAR-10 model: 32², stages 32/16/8 at 128/256/256, 2 blocks each, window 4.</summary>
    public static ImageDiffiTConfig Cifar10 { get; } = new();

    /// <summary>The paper's FFHQ-64 model: 64², stages 64/32/16/8 at 128/256/256/256, blocks 1,2,2,2, window 8.</summary>
    public static ImageDiffiTConfig Ffhq64 { get; } = new()
    {
        ImageSize = 64,
        StageChannels = [128, 256, 256, 256],
        BlocksPerStage = [1, 2, 2, 2],
        WindowSize = 8,
    };

    /// <summary>The names <see cref="FromName"/> knows, with the paper's configs.</summary>
    public static IReadOnlyDictionary<string, ImageDiffiTConfig> Presets { get; } = new Dictionary<string, ImageDiffiTConfig>(StringComparer.OrdinalIgnoreCase)
    {
        ["DiffiT-CIFAR10"] = Cifar10,
        ["DiffiT-FFHQ64"] = Ffhq64,
    };

    /// <summary>The preset's name when this config is one of the paper's, else null.</summary>
    [JsonIgnore]
    public string? Name => Presets.FirstOrDefault(p => p.Value.Equals(this)).Key;

    /// <summary>Number of resolutions.</summary>
    [JsonIgnore]
    public int Stages => StageChannels.Count;

    /// <summary>Output channels (the EDM network predicts an image-shaped F).</summary>
    [JsonIgnore]
    public int OutChannels => InChannels;

    /// <summary>True when the model takes class labels.</summary>
    [JsonIgnore]
    public bool Conditional => NumClasses > 0;

    /// <summary>Rows of the label table: the classes plus the null class when class dropout is on (0 when unconditional).</summary>
    [JsonIgnore]
    public int LabelTableSize => Conditional ? NumClasses + (ClassDropoutProb > 0 ? 1 : 0) : 0;

    /// <summary>Rows of each TMSA's relative position bias table: (2w − 1)² offsets.</summary>
    [JsonIgnore]
    public int RelativePositionCount => (2 * WindowSize - 1) * (2 * WindowSize - 1);

    /// <summary>Resolution of stage <paramref name="stage"/>: ImageSize / 2^stage.</summary>
    public int Resolution(int stage) => ImageSize >> stage;

    /// <summary>Attention heads at a width.</summary>
    public int Heads(int channels) => channels / HeadDim;

    /// <summary>MLP hidden width at a width.</summary>
    public int MlpHiddenSize(int channels) => (int)(channels * MlpRatio);

    /// <summary>A preset by name ("DiffiT-CIFAR10", "DiffiT-FFHQ64", any case), with <paramref name="inChannels"/> and classes set.</summary>
    /// <exception cref="ArgumentException">An unknown name, listing the known ones.</exception>
    public static ImageDiffiTConfig FromName(string name, int? inChannels = null, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Presets.TryGetValue(name.Trim(), out var preset))
            throw new ArgumentException($"Unknown image DiffiT model '{name}'. Known: {string.Join(", ", Presets.Keys)}.", nameof(name));
        return (preset with { InChannels = inChannels ?? preset.InChannels, NumClasses = numClasses ?? preset.NumClasses }).Validate();
    }

    /// <summary>True when <paramref name="name"/> names an image DiffiT preset.</summary>
    public static bool IsImageDiffiTName(string? name) => name != null && Presets.ContainsKey(name.Trim());

    /// <summary>Checks that the sizes fit together; returns this config.</summary>
    /// <exception cref="ArgumentException">Naming the member that is wrong and why.</exception>
    public ImageDiffiTConfig Validate()
    {
        Require(StageChannels is { Count: > 0 }, nameof(StageChannels), "needs at least one stage");
        Require(BlocksPerStage is not null && BlocksPerStage.Count == StageChannels.Count, nameof(BlocksPerStage),
            $"needs one count per stage ({StageChannels.Count}), got {BlocksPerStage?.Count ?? 0}");
        Require(BlocksPerStage!.All(b => b > 0), nameof(BlocksPerStage), "every stage needs at least one block");
        Require(InChannels > 0, nameof(InChannels), $"must be positive, got {InChannels}");
        Require(WindowSize > 0, nameof(WindowSize), $"must be positive, got {WindowSize}");
        Require(ImageSize > 0 && ImageSize % (1 << (Stages - 1)) == 0, nameof(ImageSize),
            $"{ImageSize} must halve exactly {Stages - 1} times");
        for (int s = 0; s < Stages; s++)
        {
            int c = StageChannels[s], r = Resolution(s);
            Require(r % WindowSize == 0, nameof(WindowSize), $"window {WindowSize} must divide stage {s}'s resolution {r}");
            Require(c > 0 && HeadDim > 0 && c % HeadDim == 0, nameof(HeadDim), $"{HeadDim} channels per head must divide stage {s}'s width {c}");
            Require(GroupNormGroups > 0 && c % GroupNormGroups == 0, nameof(GroupNormGroups), $"{GroupNormGroups} groups must divide stage {s}'s width {c}");
        }
        Require(MlpRatio > 0, nameof(MlpRatio), $"must be positive, got {MlpRatio}");
        Require(TimeEmbedDim > 0, nameof(TimeEmbedDim), $"must be positive, got {TimeEmbedDim}");
        Require(NumClasses >= 0, nameof(NumClasses), $"must be ≥ 0, got {NumClasses}");
        Require(ClassDropoutProb is >= 0 and < 1, nameof(ClassDropoutProb), $"must be in [0, 1), got {ClassDropoutProb}");
        return this;
    }

    /// <summary>Value equality over the lists' contents (records compare lists by reference).</summary>
    public bool Equals(ImageDiffiTConfig? other) =>
        other is not null && ImageSize == other.ImageSize && InChannels == other.InChannels
        && StageChannels.SequenceEqual(other.StageChannels) && BlocksPerStage.SequenceEqual(other.BlocksPerStage)
        && WindowSize == other.WindowSize && HeadDim == other.HeadDim && MlpRatio == other.MlpRatio
        && GroupNormGroups == other.GroupNormGroups && TimeEmbedDim == other.TimeEmbedDim
        && NumClasses == other.NumClasses && ClassDropoutProb == other.ClassDropoutProb;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ImageSize, InChannels, string.Join(",", StageChannels), string.Join(",", BlocksPerStage), WindowSize, NumClasses);

    /// <summary>Serializes to JSON (the form stored in checkpoints and ONNX metadata).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a config written by <see cref="ToJson"/>.</summary>
    /// <exception cref="ArgumentException">Not such a config.</exception>
    public static ImageDiffiTConfig FromJson(string json)
    {
        try
        {
            return (JsonSerializer.Deserialize<ImageDiffiTConfig>(json, JsonOptions) ?? throw new ArgumentException("empty image DiffiT config JSON", nameof(json))).Validate();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"not an image DiffiT config: {e.Message}", nameof(json), e);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static void Require(bool ok, string member, string message)
    {
        if (!ok) throw new ArgumentException($"image DiffiT config {member}: {message}.", member);
    }
}
