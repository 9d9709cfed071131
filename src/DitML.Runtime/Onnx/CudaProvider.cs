using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace DitML.Onnx;

/// <summary>
/// Whether ONNX Runtime's CUDA provider can load in this process, and if not, what is missing: the provider itself (a
/// CPU-only build of DitML) or the CUDA libraries it links. Probed once per process, before any session asks for it, so
/// that <c>--device cuda</c> fails at once with a sentence rather than in the middle of a run.
/// </summary>
public static partial class CudaProvider
{
    private const string ProviderName = "CUDAExecutionProvider";
    private static readonly Lazy<string?> Probe = new(FindWhyUnavailable);

    /// <summary>True when the CUDA provider is in this build and its libraries load (a GPU may still be missing).</summary>
    public static bool IsAvailable => Probe.Value is null;

    /// <summary>Why the CUDA provider cannot load, in a sentence; null when it can.</summary>
    public static string? UnavailableReason => Probe.Value;

    private static string? FindWhyUnavailable()
    {
        if (!OrtEnv.Instance().GetAvailableProviders().Contains(ProviderName))
            return "this build of DitML carries the CPU-only ONNX Runtime; build it with -p:DitMLDevice=cuda (Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31.0)";
        // The provider is a separate library next to ONNX Runtime's, loaded when a session first asks for it; loading it
        // here names the missing CUDA library, where ONNX Runtime only says "Failed to load shared library".
        string? library = ProviderLibrary();
        if (library is null) return null;                                        // not beside us (a notebook's package folder): ONNX Runtime finds it
        try
        {
            NativeLibrary.Load(library);                                         // kept loaded: ONNX Runtime loads the same file next
            return null;
        }
        catch (DllNotFoundException e)
        {
            var missing = MissingLibrary().Match(e.Message);
            string what = missing.Success ? $"{missing.Groups[1].Value} is not on the library path" : e.Message;
            return $"ONNX Runtime's CUDA provider cannot load: {what} (ONNX Runtime 1.31 needs the CUDA 13 runtime, cuBLAS and cuDNN 9, and an NVIDIA driver)";
        }
    }

    private static string? ProviderLibrary()
    {
        string name = OperatingSystem.IsWindows() ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so";
        string native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", name);
        string beside = Path.Combine(AppContext.BaseDirectory, name);
        return File.Exists(native) ? native : File.Exists(beside) ? beside : null;
    }

    [GeneratedRegex(@"([\w.+-]+\.(?:so[\w.]*|dll)): cannot open shared object file")]
    private static partial Regex MissingLibrary();
}
