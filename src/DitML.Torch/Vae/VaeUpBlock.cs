using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>diffusers' UpDecoderBlock2D: resnets.0..k−1, then (except at the finest level) upsamplers.0.</summary>
public sealed class VaeUpBlock : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<VaeResnetBlock> resnets;
    private readonly ModuleList<VaeUpsample>? upsamplers;

    /// <summary>Creates a level of <paramref name="layers"/> resnets from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public VaeUpBlock(int inChannels, int outChannels, int layers, bool upsample, int groups, double eps) : base(nameof(VaeUpBlock))
    {
        resnets = new ModuleList<VaeResnetBlock>(Enumerable.Range(0, layers)
            .Select(i => new VaeResnetBlock(i == 0 ? inChannels : outChannels, outChannels, groups, eps)).ToArray());
        if (upsample) upsamplers = new ModuleList<VaeUpsample>(new VaeUpsample(outChannels));
        RegisterComponents();
    }

    /// <summary>(N, C_in, H, W) → (N, C_out, 2H, 2W), or (N, C_out, H, W) without an upsampler.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        foreach (var r in resnets) x = r.forward(x);
        if (upsamplers != null) x = upsamplers[0].forward(x);
        return x.MoveToOuterDisposeScope();
    }
}
