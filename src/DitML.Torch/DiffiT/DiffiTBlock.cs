using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.DiffiT;

/// <summary>
/// The DiffiT transformer block (paper Eq. 7–8; latent DiffiT as released): x = x + TMSA(LN1(x), c);
/// x = x + MLP(LN2(x)). Pre-LN residuals, no adaLN: the time token c enters only through TMSA. LayerNorms have no
/// affine parameters (eps 1e-6); the MLP is D → rD, GELU (tanh), → D; no dropout.
/// </summary>
public sealed class DiffiTBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly DiffiTAttention attn;
    private readonly LayerNorm norm2;
    private readonly Mlp mlp;

    /// <summary>Creates a block of width D, <paramref name="numHeads"/> heads, MLP width <paramref name="mlpHiddenSize"/>, over a W×W grid.</summary>
    public DiffiTBlock(int hiddenSize, int numHeads, int mlpHiddenSize, int gridSize) : base(nameof(DiffiTBlock))
    {
        norm1 = nn.LayerNorm(hiddenSize, eps: 1e-6, elementwise_affine: false);
        attn = new DiffiTAttention(hiddenSize, numHeads, gridSize);
        norm2 = nn.LayerNorm(hiddenSize, eps: 1e-6, elementwise_affine: false);
        mlp = new Mlp(hiddenSize, mlpHiddenSize);
        RegisterComponents();
    }

    /// <summary>The block's TMSA.</summary>
    internal DiffiTAttention Attention => attn;

    /// <summary>x (N, T, D), time token c (N, D) → (N, T, D).</summary>
    public override Tensor forward(Tensor x, Tensor c)
    {
        using var scope = NewDisposeScope();
        var h = x + attn.forward(norm1.forward(x), c);                        // (N, T, D)
        h = h + mlp.forward(norm2.forward(h));                                // (N, T, D)
        return h.MoveToOuterDisposeScope();
    }
}
