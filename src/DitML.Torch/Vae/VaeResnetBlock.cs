using DitML.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>
/// diffusers' ResnetBlock2D without a time embedding: x + conv2(SiLU(norm2(conv1(SiLU(norm1(x)))))), with a 1×1
/// <c>conv_shortcut</c> on x when the channel count changes.
/// </summary>
public sealed class VaeResnetBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // diffusers state_dict names
    private readonly VaeGroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly VaeGroupNorm norm2;
    private readonly Conv2d conv2;
    private readonly Conv2d? conv_shortcut;
#pragma warning restore IDE1006

    /// <summary>Creates a block from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public VaeResnetBlock(int inChannels, int outChannels, int groups, double eps) : base(nameof(VaeResnetBlock))
    {
        norm1 = VaeLayers.GroupNorm(groups, inChannels, eps);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        norm2 = VaeLayers.GroupNorm(groups, outChannels, eps);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1);
        if (inChannels != outChannels) conv_shortcut = nn.Conv2d(inChannels, outChannels, 1);
        RegisterComponents();
    }

    /// <summary>(N, C_in, H, W) → (N, C_out, H, W).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = OneDnnConvolution.Forward(conv1, nn.functional.silu(norm1.forward(x)));
        h = OneDnnConvolution.Forward(conv2, nn.functional.silu(norm2.forward(h)));
        var skip = conv_shortcut is null ? x : OneDnnConvolution.Forward(conv_shortcut, x);
        return (skip + h).MoveToOuterDisposeScope();
    }
}
