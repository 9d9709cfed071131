using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.DiffiT;

/// <summary>
/// Latent DiffiT's time-dependent self-attention (TMSA) as released: qkv = Linear(D, 3D)(h) + Linear(D, 3D)(c), the
/// time projection <c>qkv_temb</c> with its own bias, broadcast over the tokens; split [q | k | v] with heads contiguous
/// as DiT; softmax(q·kᵀ/√d + B)·v; <c>proj</c> Linear(D, D). B[h, i, j] = table[index[i, j], h] over the whole W×W token
/// grid (global attention), the index a persistent int64 buffer <c>relative_position_index</c> (T, T) in the state_dict.
/// Unlike <see cref="TimeDependentSelfAttention"/> (DiT's <c>--tmsa</c> option) the time Linear has a bias and the
/// table starts at N(0, 0.02).
/// </summary>
public sealed class DiffiTAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear qkv;
#pragma warning disable IDE1006 // state_dict names: attn.qkv_temb, attn.relative_position_bias_table, attn.relative_position_index
    private readonly Linear qkv_temb;
    private readonly Parameter relative_position_bias_table;
    private readonly Tensor relative_position_index;
#pragma warning restore IDE1006
    private readonly Linear proj;
    private readonly int numHeads;
    private readonly long tokens;

    /// <summary>Creates TMSA of width D with <paramref name="numHeads"/> heads over a W×W token grid.</summary>
    public DiffiTAttention(int hiddenSize, int numHeads, int gridSize) : base(nameof(DiffiTAttention))
    {
        this.numHeads = numHeads;
        tokens = (long)gridSize * gridSize;
        int side = 2 * gridSize - 1;
        relative_position_bias_table = new Parameter(zeros(side * side, numHeads));                   // ((2W−1)², H)
        relative_position_index = tensor(TimeDependentSelfAttention.RelativeIndex(gridSize), [tokens, tokens]); // (T, T) int64
        qkv = nn.Linear(hiddenSize, 3 * hiddenSize);
        qkv_temb = nn.Linear(hiddenSize, 3 * hiddenSize, hasBias: true);
        proj = nn.Linear(hiddenSize, hiddenSize);
        RegisterComponents();
    }

    /// <summary>The relative position bias table (initialized truncated normal, std 0.02).</summary>
    internal Parameter BiasTable => relative_position_bias_table;

    /// <summary>h (N, T, D) and time token c (N, D) → (N, T, D).</summary>
    public override Tensor forward(Tensor h, Tensor c)
    {
        if (h.shape[1] != tokens)
            throw new ArgumentException($"DiffiT attention expects {tokens} tokens, got {h.shape[1]}", nameof(h));
        using var scope = NewDisposeScope();
        var projected = qkv.forward(h) + qkv_temb.forward(c).unsqueeze(1);    // (N, T, 3D)
        var bias = TimeDependentSelfAttention.RelativeBias(relative_position_bias_table, relative_position_index, tokens, numHeads); // (1, H, T, T)
        return proj.forward(AttentionMath.SelfAttend(projected, numHeads, bias)).MoveToOuterDisposeScope(); // (N, T, D)
    }
}
