using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Models;

namespace DitML.Dit;

/// <summary>
/// The cross-attention design: a pre-norm ViT block with a cross-attention layer after self-attention that attends to
/// the two conditioning tokens (timestep, class). LayerNorms are affine (eps 1e-6).
/// </summary>
public sealed class CrossAttentionBlock : DiTBlockBase
{
    private readonly LayerNorm norm1;
    private readonly nn.Module attn;
    private readonly LayerNorm norm2;
#pragma warning disable IDE1006 // state_dict name: blocks.i.cross_attn
    private readonly CrossAttention cross_attn;
#pragma warning restore IDE1006
    private readonly LayerNorm norm3;
    private readonly Mlp mlp;

    /// <summary>Creates the block.</summary>
    public CrossAttentionBlock(DiTConfig config) : base(nameof(CrossAttentionBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        int d = config.HiddenSize;
        norm1 = nn.LayerNorm(d, eps: 1e-6);
        attn = CreateSelfAttention(config);
        norm2 = nn.LayerNorm(d, eps: 1e-6);
        cross_attn = new CrossAttention(d, config.NumHeads);
        norm3 = nn.LayerNorm(d, eps: 1e-6);
        mlp = new Mlp(d, config.MlpHiddenSize);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor c, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        x = x + SelfAttend(attn, norm1.forward(x), c);
        x = x + cross_attn.forward(norm2.forward(x), tokens);
        x = x + mlp.forward(norm3.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}
