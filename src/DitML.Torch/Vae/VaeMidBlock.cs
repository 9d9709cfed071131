using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>diffusers' UNetMidBlock2D as the VAE uses it: resnets.0 → attentions.0 → resnets.1, at constant width.</summary>
public sealed class VaeMidBlock : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<VaeAttention> attentions;
    private readonly ModuleList<VaeResnetBlock> resnets;

    /// <summary>Creates the mid-block of width <paramref name="channels"/>.</summary>
    public VaeMidBlock(int channels, int groups, double eps) : base(nameof(VaeMidBlock))
    {
        attentions = new ModuleList<VaeAttention>(new VaeAttention(channels, groups, eps));
        resnets = new ModuleList<VaeResnetBlock>(
            new VaeResnetBlock(channels, channels, groups, eps), new VaeResnetBlock(channels, channels, groups, eps));
        RegisterComponents();
    }

    /// <summary>(N, C, H, W) → (N, C, H, W).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return resnets[1].forward(attentions[0].forward(resnets[0].forward(x))).MoveToOuterDisposeScope();
    }
}
