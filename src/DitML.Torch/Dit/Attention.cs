using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Precision;

namespace DitML.Dit;

/// <summary>
/// Multi-head self-attention as in timm's ViT: one qkv Linear(D, 3D) whose rows are [q of all heads | k | v], heads split
/// inside each third, scale head_dim^−½, output Linear(D, D).
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly int numHeads;

    /// <summary>Creates attention of width D with <paramref name="numHeads"/> heads.</summary>
    public Attention(int hiddenSize, int numHeads) : base(nameof(Attention))
    {
        this.numHeads = numHeads;
        qkv = nn.Linear(hiddenSize, 3 * hiddenSize);
        proj = nn.Linear(hiddenSize, hiddenSize);
        RegisterComponents();
    }

    /// <summary>(N, T, D) → (N, T, D).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var projected = MixedPrecision.Linear(qkv, x);                      // (N, T, 3D)
        return MixedPrecision.Linear(proj, AttentionMath.SelfAttend(projected, numHeads, bias: null)).MoveToOuterDisposeScope();
    }
}
