using System.Diagnostics;
using static TorchSharp.torch;

namespace DitML.Benchmarks;

/// <summary>
/// Forward + backward of a DiT block's pieces in float32 and bfloat16, at the shipped model's shapes (width 192,
/// 3 heads, 49 tokens) and at 256 tokens: which operations gain from bfloat16 and which do not, and fused attention
/// against the unfused softmax(q·kᵀ)·v. Timed as this process's CPU time on one thread, the best of several
/// interleaved rounds, so that other work on a busy machine (which stalls multi-threaded kernels) moves the figures
/// little.
/// </summary>
internal static class PrecisionOpsBenchmark
{
    public static void Run(string[] args)
    {
        set_num_threads(1);
        int n = BenchmarkArgs.GetInt(args, "--batch", 32), t = 49, d = 192, heads = 3;
        int rounds = BenchmarkArgs.GetInt(args, "--rounds", 5);
        var bf = ScalarType.BFloat16;
        Tensor Input(ScalarType type, params long[] shape) => randn(shape, dtype: type).requires_grad_(true);
        using var x32 = Input(ScalarType.Float32, n, t, d);
        using var w = Input(ScalarType.Float32, 4 * d, d);
        using var h32 = Input(ScalarType.Float32, n, t, 4 * d);
        using var hb = Input(bf, n, t, 4 * d);
        using var qkv32 = Input(ScalarType.Float32, n, t, 3 * d);
        using var qkvb = Input(bf, n, t, 3 * d);
        using var long32 = Input(ScalarType.Float32, n / 4, 256, 3 * d);
        using var longb = Input(bf, n / 4, 256, 3 * d);
        var cases = new (string Name, Func<Tensor> Run)[]
        {
            ("Linear 192→768, fp32", () => nn.functional.linear(x32, w)),
            ("Linear 192→768, bf16 (casts included)", () => nn.functional.linear(x32.to_type(bf), w.to_type(bf))),
            ("GELU (N, T, 768), fp32", () => nn.functional.gelu(h32, TorchSharp.Modules.GELU.Approximate.tanh)),
            ("GELU (N, T, 768), bf16", () => nn.functional.gelu(hb, TorchSharp.Modules.GELU.Approximate.tanh)),
            ("fused attention T=49, fp32", () => Fused(qkv32, heads)),
            ("fused attention T=49, bf16", () => Fused(qkvb, heads)),
            ("fused attention T=49, bf16 in, fp32 inside", () => Fused(qkvb.to_type(ScalarType.Float32), heads).to_type(bf)),
            ("unfused attention T=49, fp32", () => Unfused(qkv32, heads)),
            ("unfused attention T=49, bf16 (softmax fp32)", () => Unfused(qkvb, heads)),
            ("fused attention T=256, fp32", () => Fused(long32, heads)),
            ("fused attention T=256, bf16", () => Fused(longb, heads)),
            ("unfused attention T=256, fp32", () => Unfused(long32, heads)),
        };
        var best = new double[cases.Length];
        Array.Fill(best, double.MaxValue);
        for (int r = 0; r < rounds; r++)
        {
            for (int c = 0; c < cases.Length; c++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (int k = 0; k < 3; k++)
                {
                    using var scope = NewDisposeScope();
                    cases[c].Run().to_type(ScalarType.Float32).sum().backward();
                }
                best[c] = Math.Min(best[c], (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / 3);
            }
        }
        Console.WriteLine($"forward + backward, batch {n}, width {d}, {heads} heads; CPU ms on 1 thread, best of {rounds} interleaved rounds");
        foreach (var (c, i) in cases.Select((c, i) => (c, i))) Console.WriteLine($"{c.Name,-46} {best[i],8:F2} ms");
    }

    private static Tensor Heads(Tensor qkv, int heads)
    {
        long n = qkv.shape[0], t = qkv.shape[1], d = qkv.shape[2] / 3;
        return qkv.reshape(n, t, 3, heads, d / heads).permute(2, 0, 3, 1, 4);  // (3, N, H, T, hd), as DiT's attention
    }

    private static Tensor Fused(Tensor qkv, int heads)
    {
        var h = Heads(qkv, heads);
        var o = nn.functional.scaled_dot_product_attention(h[0], h[1], h[2]);
        return o.transpose(1, 2).reshape(qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3);
    }

    private static Tensor Unfused(Tensor qkv, int heads)
    {
        var h = Heads(qkv, heads);
        var logits = matmul(h[0], h[1].transpose(-2, -1)).to_type(ScalarType.Float32).mul(1.0 / Math.Sqrt(h.shape[^1])); // (N, H, T, T)
        var weights = logits.softmax(-1).to_type(qkv.dtype);
        return matmul(weights, h[2]).transpose(1, 2).reshape(qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3);
    }
}
