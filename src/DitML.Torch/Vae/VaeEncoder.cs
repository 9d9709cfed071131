using DitML.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>
/// diffusers' Encoder: conv_in, down_blocks (halving between levels), mid_block, conv_norm_out → SiLU → conv_out to
/// 2·latent channels (mean and log-variance, before quant_conv).
/// </summary>
public sealed class VaeEncoder : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // diffusers state_dict names
    private readonly Conv2d conv_in;
    private readonly ModuleList<VaeDownBlock> down_blocks;
    private readonly VaeMidBlock mid_block;
    private readonly VaeGroupNorm conv_norm_out;
    private readonly Conv2d conv_out;
#pragma warning restore IDE1006

    /// <summary>Creates the encoder of <paramref name="config"/>.</summary>
    public VaeEncoder(VaeConfig config) : base(nameof(VaeEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        var ch = config.BlockOutChannels;
        int g = config.NormNumGroups;
        double eps = config.NormEps;
        conv_in = nn.Conv2d(config.InChannels, ch[0], 3, padding: 1);
        down_blocks = new ModuleList<VaeDownBlock>(Enumerable.Range(0, ch.Count)
            .Select(i => new VaeDownBlock(i == 0 ? ch[0] : ch[i - 1], ch[i], config.LayersPerBlock, i < ch.Count - 1, g, eps)).ToArray());
        mid_block = new VaeMidBlock(ch[^1], g, eps);
        conv_norm_out = VaeLayers.GroupNorm(g, ch[^1], eps);
        conv_out = nn.Conv2d(ch[^1], 2 * config.LatentChannels, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>(N, C_in, H, W) → (N, 2·latent, H/f, W/f), f = the downsample factor.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = OneDnnConvolution.Forward(conv_in, x);
        foreach (var block in down_blocks) h = block.forward(h);
        h = mid_block.forward(h);
        return OneDnnConvolution.Forward(conv_out, nn.functional.silu(conv_norm_out.forward(h))).MoveToOuterDisposeScope();
    }
}
