namespace DitML.Onnx;

/// <summary>
/// Symmetric int8 quantization of a linear layer's weight, one scale per output channel: scale_o = max_i |W[o, i]| /
/// <see cref="MaxLevel"/> and q = round(W / scale_o) in [−63, 63] (zero point 0, so the integer matmul needs no weight
/// offset). A channel of zeros gets scale 1, so dequantizing gives its zeros back.
/// </summary>
/// <remarks>
/// Seven bits, not eight ("reduce range", as ONNX Runtime's own quantizer offers it): on x86 CPUs without VNNI, ONNX
/// Runtime's u8×s8 kernel adds products in pairs into 16-bit lanes (vpmaddubsw), and 255 × 127 × 2 overflows them —
/// the results are then wrong by far more than the quantization step (measured on an AVX2-only Zen 3: an error 4× the
/// bound on a test layer). With |q| ≤ 63 a pair is at most 255 × 63 × 2 = 32,130, which fits, so one exported model
/// is right on every CPU; the cost is a weight step twice as coarse.
/// </remarks>
public static class Int8Quantization
{
    /// <summary>The largest magnitude a quantized weight takes: 63, so that no CPU's 16-bit pair sums overflow (see remarks).</summary>
    public const int MaxLevel = 63;

    /// <summary>
    /// Quantizes a PyTorch Linear weight (out, in), row-major, into the (in, out) layout ONNX's MatMul takes, with the
    /// per-output-channel scales (out).
    /// </summary>
    public static (sbyte[] Transposed, float[] Scales) PerOutputChannel(ReadOnlySpan<float> weight, int inFeatures, int outFeatures)
    {
        if (weight.Length != inFeatures * outFeatures)
            throw new ArgumentException($"weight has {weight.Length} values, not {outFeatures}×{inFeatures}", nameof(weight));
        var scales = new float[outFeatures];
        var q = new sbyte[weight.Length];
        for (int o = 0; o < outFeatures; o++)
        {
            var row = weight.Slice(o * inFeatures, inFeatures);
            float max = 0;
            foreach (float v in row) max = Math.Max(max, Math.Abs(v));
            float scale = max > 0 ? max / MaxLevel : 1f;
            scales[o] = scale;
            for (int i = 0; i < inFeatures; i++)
                q[i * outFeatures + o] = (sbyte)Math.Clamp(MathF.Round(row[i] / scale, MidpointRounding.ToEven), -MaxLevel, MaxLevel);
        }
        return (q, scales);
    }
}
