using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Dit;
using DitML.Native;
using DitML.Vae;

namespace DitML.DiffiT;

/// <summary>
/// Image DiffiT's ResBlock (paper §3.3): h = Conv3×3(SiLU(GN(x))), then the DiffiT transformer block on h's pixels as
/// tokens — h = h + TMSA(LN1(h), c) over windows, h = h + MLP(LN2(h)) — and out = x + h. The width never changes
/// (see <see cref="DitML.Models.ImageDiffiTConfig"/>), so the residual needs no projection. GroupNorm eps 1e-5; the
/// LayerNorms have no affine parameters (eps 1e-6); MLP C → rC, GELU (tanh), → C.
/// </summary>
public sealed class DiffiTResBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly VaeGroupNorm norm;
    private readonly Conv2d conv;
    private readonly LayerNorm norm1;
    private readonly WindowAttention attn;
    private readonly LayerNorm norm2;
    private readonly Mlp mlp;

    /// <summary>Creates a block of width C.</summary>
    public DiffiTResBlock(int channels, int numHeads, int mlpHiddenSize, int windowSize, int timeEmbedDim, int groups) : base(nameof(DiffiTResBlock))
    {
        norm = VaeLayers.GroupNorm(groups, channels, 1e-5);
        conv = nn.Conv2d(channels, channels, 3, padding: 1);
        norm1 = nn.LayerNorm(channels, eps: 1e-6, elementwise_affine: false);
        attn = new WindowAttention(channels, numHeads, windowSize, timeEmbedDim);
        norm2 = nn.LayerNorm(channels, eps: 1e-6, elementwise_affine: false);
        mlp = new Mlp(channels, mlpHiddenSize);
        RegisterComponents();
    }

    /// <summary>The block's window TMSA.</summary>
    internal WindowAttention Attention => attn;

    /// <summary>x (N, C, H, W) and the time token c (N, T_e) → (N, C, H, W).</summary>
    public override Tensor forward(Tensor x, Tensor c)
    {
        using var scope = NewDisposeScope();
        var h = OneDnnConvolution.Forward(conv, nn.functional.silu(norm.forward(x))).permute(0, 2, 3, 1); // (N, H, W, C)
        h = h + attn.forward(norm1.forward(h), c);                             // (N, H, W, C)
        h = h + mlp.forward(norm2.forward(h));                                 // (N, H, W, C)
        return (x + h.permute(0, 3, 1, 2).contiguous()).MoveToOuterDisposeScope(); // (N, C, H, W), NCHW memory
    }
}
