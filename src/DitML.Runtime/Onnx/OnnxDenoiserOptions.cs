namespace DitML.Onnx;

/// <summary>ONNX Runtime settings of <see cref="OnnxDenoiser"/>.</summary>
public sealed record OnnxDenoiserOptions
{
    /// <summary>Threads of one operator; 0 lets ONNX Runtime choose (one per core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Where the session runs: null or <see cref="OnnxDevice.Cpu"/> the CPU; <c>cuda:N</c> GPU N (the GPU build,
    /// <c>-p:DitMLDevice=cuda</c>, refused at once where it cannot load); <see cref="OnnxDevice.Auto"/> the GPU when usable.
    /// </summary>
    public OnnxDevice? Device { get; init; }
}
