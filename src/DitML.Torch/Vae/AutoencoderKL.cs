using DitML.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>
/// Stable Diffusion's KL autoencoder (diffusers' AutoencoderKL): encoder → quant_conv (1×1, 2C → 2C) → a diagonal
/// Gaussian over latents; post_quant_conv (1×1, C → C) → decoder. Parameter names equal diffusers' state_dict keys, so
/// published diffusion_pytorch_model.safetensors files load unchanged (<see cref="VaeCheckpoint"/>).
/// forward(x) reconstructs x through the posterior's mode.
/// </summary>
public sealed class AutoencoderKL : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // diffusers state_dict names
    private readonly VaeEncoder encoder;
    private readonly VaeDecoder decoder;
    private readonly Conv2d quant_conv;
    private readonly Conv2d post_quant_conv;
#pragma warning restore IDE1006

    /// <summary>Builds a VAE of <paramref name="config"/> with PyTorch's default initialization.</summary>
    public AutoencoderKL(VaeConfig? config = null) : base(nameof(AutoencoderKL))
    {
        Config = (config ?? VaeConfig.StableDiffusion).Validate();
        encoder = new VaeEncoder(Config);
        decoder = new VaeDecoder(Config);
        quant_conv = nn.Conv2d(2 * Config.LatentChannels, 2 * Config.LatentChannels, 1);
        post_quant_conv = nn.Conv2d(Config.LatentChannels, Config.LatentChannels, 1);
        RegisterComponents();
    }

    /// <summary>The model's shape.</summary>
    public VaeConfig Config { get; }

    /// <summary>Pixels x (N, C_in, H, W) in [−1, 1] → the posterior over unscaled latents (N, C, H/f, W/f).</summary>
    public DiagonalGaussian Encode(Tensor x)
    {
        CheckInput(x, Config.InChannels, nameof(x));
        using var scope = NewDisposeScope();
        using var moments = OneDnnConvolution.Forward(quant_conv, encoder.forward(x));          // (N, 2C, h, w)
        var posterior = new DiagonalGaussian(moments);
        posterior.Mean.MoveToOuterDisposeScope();
        posterior.LogVar.MoveToOuterDisposeScope();
        return posterior;
    }

    /// <summary>Unscaled latents z (N, C, h, w) → pixels (N, C_out, f·h, f·w), nominally in [−1, 1].</summary>
    public Tensor Decode(Tensor z)
    {
        CheckInput(z, Config.LatentChannels, nameof(z));
        using var scope = NewDisposeScope();
        return decoder.forward(OneDnnConvolution.Forward(post_quant_conv, z)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pixels in [−1, 1] → latents for a diffusion model: a posterior sample (drawn from <paramref name="generator"/>, the
    /// global one when null) or, with <paramref name="sample"/> false, its mean; times <see cref="VaeConfig.ScalingFactor"/>.
    /// </summary>
    public Tensor EncodeLatents(Tensor x, Generator? generator = null, bool sample = true)
    {
        using var posterior = Encode(x);
        using var z = sample ? posterior.Sample(generator) : posterior.Mode();
        return z * Config.ScalingFactor;
    }

    /// <summary>Scaled latents (as a diffusion model produces them) → pixels: divides by the scaling factor, then decodes.</summary>
    public Tensor DecodeLatents(Tensor latents)
    {
        ArgumentNullException.ThrowIfNull(latents);
        using var z = latents / Config.ScalingFactor;
        return Decode(z);
    }

    /// <summary>Reconstruction through the posterior's mode: (N, C_in, H, W) → (N, C_out, H, W).</summary>
    public override Tensor forward(Tensor x)
    {
        using var posterior = Encode(x);
        return Decode(posterior.Mean);
    }

    private static void CheckInput(Tensor x, int channels, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.dim() != 4 || x.shape[1] != channels)
            throw new ArgumentException($"{name} must be (N, {channels}, H, W), got ({string.Join(", ", x.shape)})", name);
    }
}
