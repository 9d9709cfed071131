using DitML.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>diffusers' Upsample2D: nearest-neighbour ×2, then a 3×3 conv.</summary>
public sealed class VaeUpsample : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    /// <summary>Creates an upsampler keeping <paramref name="channels"/>.</summary>
    public VaeUpsample(int channels) : base(nameof(VaeUpsample))
    {
        conv = nn.Conv2d(channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>(N, C, H, W) → (N, C, 2H, 2W).</summary>
    public override Tensor forward(Tensor x)
    {
        using var up = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        return OneDnnConvolution.Forward(conv, up);
    }
}
