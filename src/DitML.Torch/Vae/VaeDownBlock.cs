using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>diffusers' DownEncoderBlock2D: resnets.0..k−1, then (except at the coarsest level) downsamplers.0.</summary>
public sealed class VaeDownBlock : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<VaeResnetBlock> resnets;
    private readonly ModuleList<VaeDownsample>? downsamplers;

    /// <summary>Creates a level of <paramref name="layers"/> resnets from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public VaeDownBlock(int inChannels, int outChannels, int layers, bool downsample, int groups, double eps) : base(nameof(VaeDownBlock))
    {
        resnets = new ModuleList<VaeResnetBlock>(Enumerable.Range(0, layers)
            .Select(i => new VaeResnetBlock(i == 0 ? inChannels : outChannels, outChannels, groups, eps)).ToArray());
        if (downsample) downsamplers = new ModuleList<VaeDownsample>(new VaeDownsample(outChannels));
        RegisterComponents();
    }

    /// <summary>(N, C_in, H, W) → (N, C_out, H/2, W/2), or (N, C_out, H, W) without a downsampler.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        foreach (var r in resnets) x = r.forward(x);
        if (downsamplers != null) x = downsamplers[0].forward(x);
        return x.MoveToOuterDisposeScope();
    }
}
