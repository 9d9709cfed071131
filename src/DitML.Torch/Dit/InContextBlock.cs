using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Models;

namespace DitML.Dit;

/// <summary>
/// The in-context design: a plain pre-norm ViT block; the conditioning arrives as two extra tokens in the sequence.
/// LayerNorms are affine (eps 1e-6).
/// </summary>
public sealed class InContextBlock : DiTBlockBase
{
    private readonly LayerNorm norm1;
    private readonly nn.Module attn;
    private readonly LayerNorm norm2;
    private readonly Mlp mlp;

    /// <summary>Creates the block.</summary>
    public InContextBlock(DiTConfig config) : base(nameof(InContextBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        int d = config.HiddenSize;
        norm1 = nn.LayerNorm(d, eps: 1e-6);
        attn = CreateSelfAttention(config);
        norm2 = nn.LayerNorm(d, eps: 1e-6);
        mlp = new Mlp(d, config.MlpHiddenSize);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor c, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        x = x + SelfAttend(attn, norm1.forward(x), c);
        x = x + mlp.forward(norm2.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}
