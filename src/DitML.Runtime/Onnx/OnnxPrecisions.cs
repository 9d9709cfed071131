namespace DitML.Onnx;

/// <summary>The text form of <see cref="OnnxPrecision"/> (<c>ditml export-onnx --precision</c> and the model's metadata).</summary>
public static class OnnxPrecisions
{
    /// <summary>"fp32" or "int8": the value written to <see cref="DiTOnnxMetadata.Precision"/>.</summary>
    public static string ToText(this OnnxPrecision precision) => precision switch
    {
        OnnxPrecision.Float32 => "fp32",
        OnnxPrecision.Int8 => "int8",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "not an ONNX precision"),
    };

    /// <summary>Reads "fp32" or "int8" (any case).</summary>
    /// <exception cref="FormatException">Any other text.</exception>
    public static OnnxPrecision Parse(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "fp32" => OnnxPrecision.Float32,
        "int8" => OnnxPrecision.Int8,
        _ => throw new FormatException($"precision must be \"fp32\" or \"int8\", not \"{text}\""),
    };
}
