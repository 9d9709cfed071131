using Microsoft.ML.OnnxRuntime;

namespace DitML.Onnx;

/// <summary>
/// The one place DitML opens ONNX Runtime sessions: on the CPU, or on CUDA where the device asks and the provider loads.
/// An unusable CUDA device is refused before the session is built (<see cref="DeviceUnavailableException"/>), or, for
/// <see cref="OnnxDeviceKind.Auto"/>, replaced by the CPU.
/// </summary>
internal static class OnnxSessions
{
    /// <summary>Opens <paramref name="path"/> on <paramref name="device"/>; <paramref name="used"/> says where it runs.</summary>
    /// <exception cref="DeviceUnavailableException">CUDA asked for and unusable (provider, libraries or GPU missing).</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the model.</exception>
    public static InferenceSession Open(string path, OnnxDevice? device, int threads, GraphOptimizationLevel level, out OnnxDevice used)
    {
        used = device?.Resolve() ?? OnnxDevice.Cpu;
        if (used.Kind == OnnxDeviceKind.Cpu) return Create(path, null, threads, level);
        try
        {
            return Create(path, used.Id, threads, level);
        }
        catch (OnnxRuntimeException e) when (IsCudaFailure(e))
        {
            if (device!.Kind != OnnxDeviceKind.Auto) throw new DeviceUnavailableException(device, $"CUDA failed to start: {e.Message}", e);
            used = OnnxDevice.Cpu;                                               // auto: no usable GPU after all
            return Create(path, null, threads, level);
        }
    }

    private static InferenceSession Create(string path, int? gpu, int threads, GraphOptimizationLevel level)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = level };
        if (gpu is { } id) options.AppendExecutionProvider_CUDA(id);
        return new InferenceSession(path, options);
    }

    private static bool IsCudaFailure(OnnxRuntimeException e) =>
        e.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("cudnn", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("Failed to load shared library", StringComparison.OrdinalIgnoreCase);
}
