namespace DitML.Onnx;

/// <summary>Element types of ONNX tensors DitML writes (values are ONNX's TensorProto.DataType numbers).</summary>
public enum OnnxElementType
{
    /// <summary>float32.</summary>
    Float = 1,

    /// <summary>uint8.</summary>
    UInt8 = 2,

    /// <summary>int8 (quantized weights).</summary>
    Int8 = 3,

    /// <summary>int32.</summary>
    Int32 = 6,

    /// <summary>int64.</summary>
    Int64 = 7,

    /// <summary>bool.</summary>
    Bool = 9,

    /// <summary>IEEE float16.</summary>
    Float16 = 10,

    /// <summary>bfloat16.</summary>
    BFloat16 = 16,
}
