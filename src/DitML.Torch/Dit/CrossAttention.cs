using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Precision;

namespace DitML.Dit;

/// <summary>Multi-head cross-attention from image tokens to a short conditioning sequence (the paper's cross-attention design).</summary>
public sealed class CrossAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear q;
    private readonly Linear kv;
    private readonly Linear proj;
    private readonly int numHeads;

    /// <summary>Creates cross-attention of width D with <paramref name="numHeads"/> heads.</summary>
    public CrossAttention(int hiddenSize, int numHeads) : base(nameof(CrossAttention))
    {
        this.numHeads = numHeads;
        q = nn.Linear(hiddenSize, hiddenSize);
        kv = nn.Linear(hiddenSize, 2 * hiddenSize);
        proj = nn.Linear(hiddenSize, hiddenSize);
        RegisterComponents();
    }

    /// <summary>x (N, T, D) attends to context (N, S, D) → (N, T, D).</summary>
    public override Tensor forward(Tensor x, Tensor context)
    {
        using var scope = NewDisposeScope();
        var attended = AttentionMath.CrossAttend(MixedPrecision.Linear(q, x), MixedPrecision.Linear(kv, context), numHeads);
        return MixedPrecision.Linear(proj, attended).MoveToOuterDisposeScope();
    }
}
