namespace DitML.Onnx;

/// <summary>
/// Symmetric int8 quantization of a linear layer's weight, one scale per output channel: scale_o = max_i |W[o, i]| / 127
/// and q = round(W / scale_o) in [−127, 127] (zero point 0, so the integer matmul needs no weight offset). A channel of
/// zeros gets scale 1, so dequantizing gives its zeros back.
/// </summary>
public static class Int8Quantization
{
    /// <summary>The largest magnitude a symmetric int8 value takes (−128 is left out so the range is symmetric).</summary>
    public const int MaxLevel = 127;

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
