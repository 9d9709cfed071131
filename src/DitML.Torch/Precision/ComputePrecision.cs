namespace DitML.Precision;

/// <summary>
/// The number format a model computes in. The weights it keeps (and, in training, the optimizer moments, the EMA and
/// the loss) are float32 in every case; only the compute-heavy operations change.
/// </summary>
public enum ComputePrecision
{
    /// <summary>float32 throughout (the default, and the reference numbers).</summary>
    Fp32,

    /// <summary>
    /// Autocast-style bfloat16: matmuls, attention and the patch convolution run in bfloat16 (≈2× the float32 matmul
    /// rate on CPUs with AVX512-BF16 or AMX); LayerNorm statistics, the residual stream, the conditioning path and the
    /// model's output stay float32. See <see cref="MixedPrecision"/>.
    /// </summary>
    Bf16,
}
