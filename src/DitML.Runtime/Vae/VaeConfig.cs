using System.Text.Json;
using System.Text.Json.Serialization;

namespace DitML.Vae;

/// <summary>
/// The shape of a KL autoencoder (Stable Diffusion's VAE, diffusers' <c>AutoencoderKL</c>). Defaults are the SD config
/// (<see cref="StableDiffusion"/>); JSON names are diffusers' config.json names, so a diffusers config file reads as is.
/// </summary>
public sealed record VaeConfig
{
    /// <summary>Image channels in (3 for RGB).</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Image channels out (3 for RGB).</summary>
    public int OutChannels { get; init; } = 3;

    /// <summary>Channels of each resolution level, finest first; the image is halved between levels.</summary>
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [128, 256, 512, 512];

    /// <summary>Resnet blocks per encoder level (the decoder has one more per level).</summary>
    public int LayersPerBlock { get; init; } = 2;

    /// <summary>Latent channels C (the encoder outputs 2C: mean and log-variance).</summary>
    public int LatentChannels { get; init; } = 4;

    /// <summary>Groups of every GroupNorm; must divide every channel count.</summary>
    public int NormNumGroups { get; init; } = 32;

    /// <summary>Epsilon of every GroupNorm (diffusers fixes it at 1e-6).</summary>
    public double NormEps { get; init; } = 1e-6;

    /// <summary>Latents are multiplied by this after encoding and divided by it before decoding (SD: 0.18215).</summary>
    public double ScalingFactor { get; init; } = 0.18215;

    /// <summary>Pixels per latent along each axis: 2^(levels − 1) (8 for SD).</summary>
    [JsonIgnore]
    public int DownsampleFactor => 1 << (BlockOutChannels.Count - 1);

    /// <summary>Stable Diffusion's VAE (sd-vae-ft-mse / sd-vae-ft-ema): 83,653,863 parameters.</summary>
    public static VaeConfig StableDiffusion { get; } = new();

    /// <summary>A small VAE for tests and small data: channels (32, 64), one resnet per level, 8 groups; 2× downsampling.</summary>
    public static VaeConfig Small { get; } = new() { BlockOutChannels = [32, 64], LayersPerBlock = 1, NormNumGroups = 8 };

    /// <summary>Checks that the sizes fit together; returns this config.</summary>
    /// <exception cref="ArgumentException">Naming the member that is wrong and why.</exception>
    public VaeConfig Validate()
    {
        Require(InChannels > 0, nameof(InChannels), $"must be positive, got {InChannels}");
        Require(OutChannels > 0, nameof(OutChannels), $"must be positive, got {OutChannels}");
        Require(BlockOutChannels is { Count: > 0 }, nameof(BlockOutChannels), "needs at least one level");
        Require(LayersPerBlock > 0, nameof(LayersPerBlock), $"must be positive, got {LayersPerBlock}");
        Require(LatentChannels > 0, nameof(LatentChannels), $"must be positive, got {LatentChannels}");
        Require(NormNumGroups > 0 && BlockOutChannels.All(c => c > 0 && c % NormNumGroups == 0), nameof(NormNumGroups),
            $"{NormNumGroups} must divide every channel count ({string.Join(", ", BlockOutChannels)})");
        Require(NormEps > 0, nameof(NormEps), $"must be positive, got {NormEps}");
        Require(ScalingFactor > 0, nameof(ScalingFactor), $"must be positive, got {ScalingFactor}");
        return this;
    }

    /// <inheritdoc/>
    public bool Equals(VaeConfig? other) =>
        other is not null && InChannels == other.InChannels && OutChannels == other.OutChannels
        && BlockOutChannels.SequenceEqual(other.BlockOutChannels) && LayersPerBlock == other.LayersPerBlock
        && LatentChannels == other.LatentChannels && NormNumGroups == other.NormNumGroups && NormEps == other.NormEps
        && ScalingFactor == other.ScalingFactor;

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(InChannels, OutChannels, string.Join(",", BlockOutChannels), LayersPerBlock, LatentChannels, NormNumGroups, NormEps, ScalingFactor);

    /// <summary>Serializes to JSON with diffusers' names (block_out_channels, layers_per_block, …).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a config written by <see cref="ToJson"/> or a diffusers AutoencoderKL config.json (other keys ignored).</summary>
    public static VaeConfig FromJson(string json) =>
        (JsonSerializer.Deserialize<VaeConfig>(json, JsonOptions) ?? throw new ArgumentException("empty VAE config JSON", nameof(json))).Validate();

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static void Require(bool ok, string member, string message)
    {
        if (!ok) throw new ArgumentException($"VaeConfig.{member} {message}", member);
    }
}
