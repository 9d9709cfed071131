namespace DitML.Checkpoints;

/// <summary>Element types a checkpoint tensor can hold (the ones state_dicts and safetensors files use).</summary>
public enum TensorDType
{
    /// <summary>32-bit IEEE float.</summary>
    Float32,
    /// <summary>16-bit IEEE float.</summary>
    Float16,
    /// <summary>bfloat16 (the top 16 bits of a float32).</summary>
    BFloat16,
    /// <summary>64-bit IEEE float.</summary>
    Float64,
    /// <summary>64-bit signed integer.</summary>
    Int64,
    /// <summary>32-bit signed integer.</summary>
    Int32,
    /// <summary>16-bit signed integer.</summary>
    Int16,
    /// <summary>8-bit signed integer.</summary>
    Int8,
    /// <summary>8-bit unsigned integer.</summary>
    UInt8,
    /// <summary>Boolean, one byte each.</summary>
    Bool,
}
