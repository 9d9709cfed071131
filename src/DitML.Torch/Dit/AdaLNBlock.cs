using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Models;

namespace DitML.Dit;

/// <summary>
/// The adaptive-LayerNorm block. With gates (adaLN-Zero, the paper's default) SiLU → Linear(D, 6D) on c gives
/// shift/scale/gate for attention and for the MLP:
/// x += gate_msa·Attn(modulate(LN(x))), x += gate_mlp·MLP(modulate(LN(x))). Without gates (adaLN) it gives 4D:
/// shift/scale only. LayerNorms have no affine parameters (eps 1e-6).
/// </summary>
public sealed class AdaLNBlock : DiTBlockBase
{
    private readonly LayerNorm norm1;
    private readonly nn.Module attn;
    private readonly LayerNorm norm2;
    private readonly Mlp mlp;
#pragma warning disable IDE1006 // PyTorch state_dict name: blocks.i.adaLN_modulation.1
    private readonly Sequential adaLN_modulation;
#pragma warning restore IDE1006
    private readonly bool gated;

    /// <summary>Creates the block; <paramref name="gated"/> selects adaLN-Zero (true) or adaLN (false).</summary>
    public AdaLNBlock(DiTConfig config, bool gated) : base(nameof(AdaLNBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        this.gated = gated;
        int d = config.HiddenSize;
        norm1 = nn.LayerNorm(d, eps: 1e-6, elementwise_affine: false);
        attn = CreateSelfAttention(config);
        norm2 = nn.LayerNorm(d, eps: 1e-6, elementwise_affine: false);
        mlp = new Mlp(d, config.MlpHiddenSize);
        adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(d, (gated ? 6 : 4) * d));
        RegisterComponents();
    }

    /// <summary>The Linear regressing the modulation (zero-initialized for adaLN-Zero).</summary>
    internal Linear Modulation => (Linear)adaLN_modulation[1];

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor c, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var m = adaLN_modulation.forward(c).chunk(gated ? 6 : 4, dim: 1);   // each (N, D)
        var (shiftMsa, scaleMsa) = (m[0], m[1]);
        var (shiftMlp, scaleMlp) = gated ? (m[3], m[4]) : (m[2], m[3]);

        var a = SelfAttend(attn, AttentionMath.Modulate(norm1.forward(x), shiftMsa, scaleMsa), c);
        x = x + (gated ? m[2].unsqueeze(1) * a : a);                        // (N, T, D)
        var f = mlp.forward(AttentionMath.Modulate(norm2.forward(x), shiftMlp, scaleMlp));
        x = x + (gated ? m[5].unsqueeze(1) * f : f);
        return x.MoveToOuterDisposeScope();
    }
}
