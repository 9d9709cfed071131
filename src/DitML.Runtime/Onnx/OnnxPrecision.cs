namespace DitML.Onnx;

/// <summary>How an exported model stores and computes its weights on ONNX Runtime.</summary>
public enum OnnxPrecision
{
    /// <summary>float32 weights and compute: the model as trained.</summary>
    Float32,

    /// <summary>
    /// The transformer blocks' linear layers hold int8 weights (symmetric, one scale per output channel) and quantize
    /// their input per call (DynamicQuantizeLinear: uint8, one scale per tensor), so the matmuls run as u8×s8 integer
    /// products (VNNI on x86); embeddings, normalizations, attention scores and the final layer stay float32.
    /// </summary>
    Int8,
}
