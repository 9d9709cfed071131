namespace DitML.Onnx;

/// <summary>Where an <see cref="OnnxDevice"/> runs ONNX Runtime sessions.</summary>
public enum OnnxDeviceKind
{
    /// <summary>ONNX Runtime's CPU provider (the default).</summary>
    Cpu,

    /// <summary>ONNX Runtime's CUDA provider on one GPU; refused at once, with what is missing, where it cannot load.</summary>
    Cuda,

    /// <summary>The first GPU when the CUDA provider loads and finds one, the CPU otherwise (ML.NET's <c>FallbackToCpu</c>).</summary>
    Auto,
}
