using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Dit;

/// <summary>
/// The head split and scaled-dot-product step shared by the attention modules. Attention is libtorch's fused
/// scaled_dot_product_attention (on CPU its flash kernel, chosen for float32 and bfloat16 alike: 4-D inputs, a unit
/// last stride, equal head sizes, no dropout). In a bfloat16 scope the projections arrive as bfloat16 and are attended
/// in float32, the result cast back: libtorch 2.10's CPU flash kernel measured 2.4× slower in bfloat16 than in float32
/// at DiT's 49 tokens (and no faster at 256; <c>tests/DitML.Benchmarks -- precision-ops</c>), and attention is a few percent
/// of a DiT's FLOPs, so this keeps the softmax in float32 at no cost.
/// </summary>
internal static class AttentionMath
{
    /// <summary>
    /// Packed (N, T, 3D) projections [q | k | v] → attended (N, T, D), in the projections' type. <paramref name="bias"/>,
    /// when given, is added to the attention logits (broadcast to (N, H, T, T)).
    /// </summary>
    public static Tensor SelfAttend(Tensor qkv, int numHeads, Tensor? bias)
    {
        if (qkv.dtype == ScalarType.BFloat16)
        {
            using var wide = qkv.to_type(ScalarType.Float32);
            using var attended = SelfAttend(wide, numHeads, bias);
            return attended.to_type(ScalarType.BFloat16);
        }
        long n = qkv.shape[0], t = qkv.shape[1], d = qkv.shape[2] / 3;
        var heads = qkv.reshape(n, t, 3, numHeads, d / numHeads).permute(2, 0, 3, 1, 4); // (3, N, H, T, hd)
        var o = nn.functional.scaled_dot_product_attention(heads[0], heads[1], heads[2], attn_mask: bias); // (N, H, T, hd)
        return o.transpose(1, 2).reshape(n, t, d);                          // (N, T, D)
    }

    /// <summary>Queries (N, T, D) attending to keys/values packed as (N, S, 2D) [k | v] → (N, T, D), in the queries' type.</summary>
    public static Tensor CrossAttend(Tensor q, Tensor kv, int numHeads)
    {
        if (q.dtype == ScalarType.BFloat16 || kv.dtype == ScalarType.BFloat16)
        {
            using var wideQ = q.to_type(ScalarType.Float32);
            using var wideKv = kv.to_type(ScalarType.Float32);
            using var attended = CrossAttend(wideQ, wideKv, numHeads);
            return attended.to_type(q.dtype);
        }
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
