using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Precision;
using DitML.Dit;

namespace DitML.DiffiT;

/// <summary>
/// DiffiT's time-dependent multi-head self-attention (TMSA): queries, keys and values each add a projection of the
/// time token, q = x·Wqs + c·Wqt (likewise k, v), and the logits get a learned relative position bias B:
/// softmax(q·kᵀ/√d + B)·v. Here the time token is DiT's conditioning vector c. Starts as plain attention
/// (zero bias table) when its time projection is zero-initialized.
/// </summary>
public sealed class TimeDependentSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear qkv;
#pragma warning disable IDE1006 // state_dict names: attn.qkv_t, attn.relative_position_bias_table
    private readonly Linear qkv_t;
    private readonly Parameter relative_position_bias_table;
#pragma warning restore IDE1006
    private readonly Linear proj;
    private readonly int numHeads;
    private readonly long[] relativeIndex;
    private readonly long gridTokens;

    /// <summary>Creates TMSA of width D, <paramref name="numHeads"/> heads, over a G×G token grid.</summary>
    public TimeDependentSelfAttention(int hiddenSize, int numHeads, int gridSize) : base(nameof(TimeDependentSelfAttention))
    {
        this.numHeads = numHeads;
        qkv = nn.Linear(hiddenSize, 3 * hiddenSize);
        qkv_t = nn.Linear(hiddenSize, 3 * hiddenSize, hasBias: false);
        int side = 2 * gridSize - 1;
        relative_position_bias_table = new Parameter(zeros(side * side, numHeads));
        proj = nn.Linear(hiddenSize, hiddenSize);
        relativeIndex = RelativeIndex(gridSize);
        gridTokens = (long)gridSize * gridSize;
        RegisterComponents();
    }

    /// <summary>The time-token projection (xavier-initialized).</summary>
    internal Linear TimeProjection => qkv_t;

    /// <summary>x (N, L, D) and time token c (N, D) → (N, L, D); tokens past the G×G grid (in-context conditioning) get no bias.</summary>
    public override Tensor forward(Tensor x, Tensor c)
    {
        using var scope = NewDisposeScope();
        long tokens = x.shape[1], t = gridTokens;
        var projected = MixedPrecision.Linear(qkv, x) + MixedPrecision.Linear(qkv_t, c).unsqueeze(1); // (N, T, 3D)
        var index = tensor(relativeIndex, device: x.device);
        var bias = RelativeBias(relative_position_bias_table, index, t, numHeads); // (1, H, T, T)
        if (tokens > t)                                                       // in-context tokens: no position, no bias
            bias = nn.functional.pad(bias, [0, tokens - t, 0, tokens - t]);    // (1, H, L, L)
        return MixedPrecision.Linear(proj, AttentionMath.SelfAttend(projected, numHeads, bias)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The attention bias B[h, i, j] = table[index[i, j], h] of <paramref name="tokens"/> tokens, shaped (1, H, T, T) to
    /// broadcast over the batch: what every TMSA variant (this one, latent DiffiT's, the windowed one) adds to its logits.
    /// </summary>
    internal static Tensor RelativeBias(Tensor table, Tensor index, long tokens, int heads) =>
        table.index_select(0, index.view(-1))                                // (T·T, H)
            .reshape(tokens, tokens, heads).permute(2, 0, 1).unsqueeze(0);   // (1, H, T, T)

    /// <summary>For each (query, key) token pair of a G×G grid, the row of its offset in the bias table.</summary>
    internal static long[] RelativeIndex(int gridSize)
    {
        int t = gridSize * gridSize, side = 2 * gridSize - 1;
        var index = new long[t * t];
        for (int i = 0; i < t; i++)
        {
            for (int j = 0; j < t; j++)
            {
                int dr = i / gridSize - j / gridSize + gridSize - 1;
                int dc = i % gridSize - j % gridSize + gridSize - 1;
                index[i * t + j] = dr * side + dc;
            }
        }
        return index;
    }
}
