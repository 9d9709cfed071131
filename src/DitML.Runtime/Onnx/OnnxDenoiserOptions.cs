namespace DitML.Onnx;

/// <summary>ONNX Runtime settings of <see cref="OnnxDenoiser"/>.</summary>
public sealed record OnnxDenoiserOptions
{
    /// <summary>Threads of one operator; 0 lets ONNX Runtime choose (one per core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Run on CUDA (needs the GPU build, <c>-p:DitMLDevice=cuda</c>).</summary>
    public bool UseCuda { get; init; }
}
