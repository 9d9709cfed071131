using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.DiffiT;

/// <summary>
/// Image DiffiT's window TMSA: time-dependent self-attention inside non-overlapping w×w windows (no shift, no exchange
/// between windows). As latent DiffiT's TMSA, qkv = Linear(C, 3C)(h) + Linear(T_e, 3C)(c) with the time token c
/// broadcast over the window's tokens (<c>qkv_temb</c>, with bias, also maps the time width T_e to the stage's width
/// C); split [q | k | v] with heads contiguous; softmax(q·kᵀ/√d + B)·v; <c>proj</c> Linear(C, C). B[h, i, j] =
/// table[index[i, j], h] over one window, the table ((2w − 1)², H) shared by all windows of the layer and the index a
/// persistent int64 buffer (w², w²).
/// </summary>
public sealed class WindowAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear qkv;
#pragma warning disable IDE1006 // state_dict names, as latent DiffiT's attention
    private readonly Linear qkv_temb;
    private readonly Parameter relative_position_bias_table;
    private readonly Tensor relative_position_index;
#pragma warning restore IDE1006
    private readonly Linear proj;
    private readonly int numHeads;
    private readonly int window;

    /// <summary>Creates window TMSA of width C with <paramref name="numHeads"/> heads, window side w and time-token width T_e.</summary>
    public WindowAttention(int channels, int numHeads, int windowSize, int timeEmbedDim) : base(nameof(WindowAttention))
    {
        this.numHeads = numHeads;
        window = windowSize;
        long tokens = (long)windowSize * windowSize;
        int side = 2 * windowSize - 1;
        relative_position_bias_table = new Parameter(zeros(side * side, numHeads));                 // ((2w−1)², H)
        relative_position_index = tensor(TimeDependentSelfAttention.RelativeIndex(windowSize), [tokens, tokens]); // (w², w²) int64
        qkv = nn.Linear(channels, 3 * channels);
        qkv_temb = nn.Linear(timeEmbedDim, 3 * channels, hasBias: true);
        proj = nn.Linear(channels, channels);
        RegisterComponents();
    }

    /// <summary>The relative position bias table.</summary>
    internal Parameter BiasTable => relative_position_bias_table;

    /// <summary>h (N, H, W, C) channels-last and the time token c (N, T_e) → (N, H, W, C).</summary>
    public override Tensor forward(Tensor h, Tensor c)
    {
        long n = h.shape[0], height = h.shape[1], width = h.shape[2], d = h.shape[3], w = window;
        if (height % w != 0 || width % w != 0)
            throw new ArgumentException($"window {w} must divide the feature map {height}×{width}", nameof(h));
        long rows = height / w, cols = width / w, windows = rows * cols;
        using var scope = NewDisposeScope();
        var win = h.view(n, rows, w, cols, w, d).permute(0, 1, 3, 2, 4, 5).reshape(n * windows, w * w, d); // (N·nW, w², C)
        var time = qkv_temb.forward(c).view(n, 1, 1, 3 * d).expand(n, windows, 1, 3 * d).reshape(n * windows, 1, 3 * d); // (N·nW, 1, 3C)
        var projected = qkv.forward(win) + time;                               // (N·nW, w², 3C)
        var bias = TimeDependentSelfAttention.RelativeBias(relative_position_bias_table, relative_position_index, w * w, numHeads); // (1, H, w², w²)
        var o = proj.forward(AttentionMath.SelfAttend(projected, numHeads, bias)); // (N·nW, w², C)
        return o.view(n, rows, cols, w, w, d).permute(0, 1, 3, 2, 4, 5).reshape(n, height, width, d).MoveToOuterDisposeScope();
    }
}
