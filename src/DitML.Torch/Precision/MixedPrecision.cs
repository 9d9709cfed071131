using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Precision;

/// <summary>
/// The compute precision of the DiT modules' forward, as a scope on the calling thread (TorchSharp 0.107 has no
/// <c>torch.autocast</c>, so the modules ask here instead). Inside a <see cref="ComputePrecision.Bf16"/> scope the
/// compute-heavy operations (<see cref="Linear"/>, <see cref="PatchConv2d"/>) cast their inputs and the float32 weights
/// to bfloat16 and return bfloat16; everything else runs in the widest type of its inputs, so adding a bfloat16 branch
/// to the float32 residual stream stays float32, LayerNorm reads float32, and the conditioning path (timestep MLP, label
/// table, adaLN modulation: about 1% of the FLOPs) stays float32. Attention takes bfloat16 projections and computes in
/// float32 (see AttentionMath: libtorch's CPU flash kernel is slower in bfloat16). The casts are ordinary autograd ops:
/// gradients reach the float32 weights as float32.
/// </summary>
/// <remarks>
/// The scope matters only while the forward builds the graph; the backward replays the recorded casts wherever it runs.
/// The weights are cast in every forward: at training batch sizes that is well under 1% of a matmul's work (a D×4D
/// weight against N·T×D activations).
/// </remarks>
public static class MixedPrecision
{
    [ThreadStatic]
    private static ComputePrecision current;

    /// <summary>The precision of the current thread's scope (<see cref="ComputePrecision.Fp32"/> outside any).</summary>
    public static ComputePrecision Current => current;

    /// <summary>Runs this thread's DiT forwards in <paramref name="precision"/> until the returned scope is disposed (scopes nest).</summary>
    public static IDisposable Enter(ComputePrecision precision)
    {
        if (!Enum.IsDefined(precision)) throw new ArgumentOutOfRangeException(nameof(precision), precision, "unknown precision");
        var scope = new Scope(current);
        current = precision;
        return scope;
    }

    /// <summary>Whether the current scope computes in bfloat16.</summary>
    internal static bool IsBf16 => current == ComputePrecision.Bf16;

    /// <summary>
    /// <paramref name="layer"/>.forward(<paramref name="x"/>) (…, in) → (…, out); in a bfloat16 scope computed in bfloat16
    /// (input, weight and bias cast) and returned as bfloat16.
    /// </summary>
    internal static Tensor Linear(Linear layer, Tensor x)
    {
        if (!IsBf16) return layer.forward(x);
        using var scope = NewDisposeScope();
        var weight = layer.weight!.to_type(ScalarType.BFloat16);
        var bias = layer.bias?.to_type(ScalarType.BFloat16);
        return nn.functional.linear(ToBf16(x), weight, bias).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A patch convolution (kernel = stride = <paramref name="patchSize"/>, no padding) (N, C, I, I) → (N, D, I/p, I/p);
    /// in a bfloat16 scope computed and returned in bfloat16.
    /// </summary>
    internal static Tensor PatchConv2d(Conv2d conv, Tensor x, int patchSize)
    {
        if (!IsBf16) return conv.forward(x);
        using var scope = NewDisposeScope();
        var weight = conv.weight!.to_type(ScalarType.BFloat16);
        var bias = conv.bias?.to_type(ScalarType.BFloat16);
        return nn.functional.conv2d(ToBf16(x), weight, bias, strides: [patchSize, patchSize]).MoveToOuterDisposeScope();
    }

    /// <summary>A float32 view of a module's output: <paramref name="x"/> itself when it is float32 already, else a float32 copy.</summary>
    internal static Tensor ToFloat32(Tensor x) => x.dtype == ScalarType.Float32 ? x.alias() : x.to_type(ScalarType.Float32);

    private static Tensor ToBf16(Tensor x) => x.dtype == ScalarType.BFloat16 ? x.alias() : x.to_type(ScalarType.BFloat16);

    private sealed class Scope(ComputePrecision outer) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            current = outer;
        }
    }
}
