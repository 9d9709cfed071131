using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Dit;

/// <summary>The head split and scaled-dot-product step shared by the attention modules.</summary>
internal static class AttentionMath
{
    /// <summary>
    /// Packed (N, T, 3D) projections [q | k | v] → attended (N, T, D). <paramref name="bias"/>, when given, is added to
    /// the attention logits (broadcast to (N, H, T, T)).
    /// </summary>
    public static Tensor SelfAttend(Tensor qkv, int numHeads, Tensor? bias)
    {
        long n = qkv.shape[0], t = qkv.shape[1], d = qkv.shape[2] / 3;
        var heads = qkv.reshape(n, t, 3, numHeads, d / numHeads).permute(2, 0, 3, 1, 4); // (3, N, H, T, hd)
        var o = nn.functional.scaled_dot_product_attention(heads[0], heads[1], heads[2], attn_mask: bias); // (N, H, T, hd)
        return o.transpose(1, 2).reshape(n, t, d);                          // (N, T, D)
    }

    /// <summary>Queries (N, T, D) attending to keys/values packed as (N, S, 2D) [k | v] → (N, T, D).</summary>
    public static Tensor CrossAttend(Tensor q, Tensor kv, int numHeads)
    {
        long n = q.shape[0], t = q.shape[1], d = q.shape[2], s = kv.shape[1];
        var qh = q.reshape(n, t, numHeads, d / numHeads).transpose(1, 2);  // (N, H, T, hd)
        var kvh = kv.reshape(n, s, 2, numHeads, d / numHeads).permute(2, 0, 3, 1, 4); // (2, N, H, S, hd)
        var o = nn.functional.scaled_dot_product_attention(qh, kvh[0], kvh[1]); // (N, H, T, hd)
        return o.transpose(1, 2).reshape(n, t, d);
    }

    // A Scalar that lives as long as the process: an implicit 1 → Scalar would be left to the finalizer, which can free
    // it while libtorch still reads it (see AdamW.Update).
    private static readonly Scalar One = 1.0.ToScalar();

    /// <summary>x·(1 + scale) + shift, with (N, D) shift and scale broadcast over the tokens of (N, T, D) x.</summary>
    public static Tensor Modulate(Tensor x, Tensor shift, Tensor scale) =>
        x * scale.unsqueeze(1).add(One) + shift.unsqueeze(1);
}
