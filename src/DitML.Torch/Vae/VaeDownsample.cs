using DitML.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>diffusers' Downsample2D with padding 0: zero-pad right and bottom by one, then a 3×3 conv of stride 2.</summary>
public sealed class VaeDownsample : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    /// <summary>Creates a downsampler keeping <paramref name="channels"/>.</summary>
    public VaeDownsample(int channels) : base(nameof(VaeDownsample))
    {
        conv = nn.Conv2d(channels, channels, 3, stride: 2);
        RegisterComponents();
    }

    /// <summary>(N, C, H, W) → (N, C, ⌈H/2⌉, ⌈W/2⌉).</summary>
    public override Tensor forward(Tensor x)
    {
        using var padded = nn.functional.pad(x, [0, 1, 0, 1]);                 // (left, right, top, bottom)
        return OneDnnConvolution.Forward(conv, padded);
    }
}
