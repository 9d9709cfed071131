using DitML.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>
/// diffusers' Decoder: conv_in, mid_block, up_blocks (coarsest first, layers_per_block + 1 resnets each, doubling
/// between levels), conv_norm_out → SiLU → conv_out.
/// </summary>
public sealed class VaeDecoder : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // diffusers state_dict names
    private readonly Conv2d conv_in;
    private readonly VaeMidBlock mid_block;
    private readonly ModuleList<VaeUpBlock> up_blocks;
    private readonly VaeGroupNorm conv_norm_out;
    private readonly Conv2d conv_out;
#pragma warning restore IDE1006

    /// <summary>Creates the decoder of <paramref name="config"/>.</summary>
    public VaeDecoder(VaeConfig config) : base(nameof(VaeDecoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        var ch = config.BlockOutChannels.Reverse().ToArray();                  // coarsest first
        int g = config.NormNumGroups;
        double eps = config.NormEps;
        conv_in = nn.Conv2d(config.LatentChannels, ch[0], 3, padding: 1);
        mid_block = new VaeMidBlock(ch[0], g, eps);
        up_blocks = new ModuleList<VaeUpBlock>(Enumerable.Range(0, ch.Length)
            .Select(i => new VaeUpBlock(i == 0 ? ch[0] : ch[i - 1], ch[i], config.LayersPerBlock + 1, i < ch.Length - 1, g, eps)).ToArray());
        conv_norm_out = VaeLayers.GroupNorm(g, ch[^1], eps);
        conv_out = nn.Conv2d(ch[^1], config.OutChannels, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>(N, latent, h, w) (after post_quant_conv) → (N, C_out, f·h, f·w).</summary>
    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = mid_block.forward(OneDnnConvolution.Forward(conv_in, z));
        foreach (var block in up_blocks) h = block.forward(h);
        return OneDnnConvolution.Forward(conv_out, nn.functional.silu(conv_norm_out.forward(h))).MoveToOuterDisposeScope();
    }
}
