using System.Globalization;

namespace DitML.Onnx;

/// <summary>
/// The device DitML's ONNX Runtime sessions run on: <c>cpu</c>, <c>cuda</c> (GPU 0), <c>cuda:N</c> or <c>auto</c>, as
/// <c>ditml --device</c> spells it. CUDA needs the GPU build of DitML (<c>-p:DitMLDevice=cuda</c>, which ships ONNX
/// Runtime's CUDA provider) and, on the machine, the CUDA and cuDNN libraries that provider was built against.
/// </summary>
/// <param name="Kind">CPU, one CUDA GPU, or the first GPU when there is one.</param>
/// <param name="Id">The CUDA device ordinal (0 for <see cref="OnnxDeviceKind.Cpu"/> and <see cref="OnnxDeviceKind.Auto"/>).</param>
public sealed record OnnxDevice(OnnxDeviceKind Kind, int Id = 0)
{
    /// <summary>The CPU.</summary>
    public static OnnxDevice Cpu { get; } = new(OnnxDeviceKind.Cpu);

    /// <summary>GPU 0 when CUDA is usable, the CPU otherwise.</summary>
    public static OnnxDevice Auto { get; } = new(OnnxDeviceKind.Auto);

    /// <summary>CUDA GPU <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative ordinal.</exception>
    public static OnnxDevice Cuda(int id = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        return new OnnxDevice(OnnxDeviceKind.Cuda, id);
    }

    /// <summary>
    /// The device ML.NET's context asks for: <c>mlContext.GpuDeviceId</c> (null: CPU) with <c>FallbackToCpu</c>
    /// (GPU 0 or the CPU, as <see cref="Auto"/>, but on the GPU given).
    /// </summary>
    public static OnnxDevice FromMLNet(int? gpuDeviceId, bool fallbackToCpu) =>
        gpuDeviceId is not { } id ? Cpu : fallbackToCpu ? new OnnxDevice(OnnxDeviceKind.Auto, id) : Cuda(id);

    /// <summary>Whether sessions on this device may use the GPU.</summary>
    public bool WantsGpu => Kind != OnnxDeviceKind.Cpu;

    /// <summary>
    /// Where sessions asked for on this device run: the CPU; for auto, cuda:N when the CUDA provider loads and the CPU
    /// otherwise; for cuda:N, cuda:N once its provider is known to load. (A GPU missing behind a loadable provider shows
    /// only when a session starts: then auto falls back to the CPU and cuda:N is refused.)
    /// </summary>
    /// <exception cref="DeviceUnavailableException">CUDA asked for and its provider cannot load; says what is missing.</exception>
    public OnnxDevice Resolve()
    {
        if (Kind == OnnxDeviceKind.Cpu) return Cpu;
        if (CudaProvider.UnavailableReason is { } reason)
            return Kind == OnnxDeviceKind.Auto ? Cpu : throw new DeviceUnavailableException(this, reason);
        return Cuda(Id);
    }

    /// <summary>Reads <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, <c>auto</c> or <c>auto:N</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">Any other text, with the spellings it takes.</exception>
    public static OnnxDevice Parse(string text) =>
        TryParse(text, out var device) ? device : throw new FormatException($"'{text}' is not a device: use cpu, cuda, cuda:N (N = 0, 1, …), auto or auto:N");

    /// <summary>Reads what <see cref="Parse"/> reads; false for anything else.</summary>
    public static bool TryParse(string? text, out OnnxDevice device)
    {
        device = Cpu;
        string t = (text ?? "").Trim().ToLowerInvariant();
        switch (t)
        {
            case "cpu": return true;
            case "auto": device = Auto; return true;
            case "cuda": device = Cuda(); return true;
        }
        foreach (var (prefix, kind) in new[] { ("cuda:", OnnxDeviceKind.Cuda), ("auto:", OnnxDeviceKind.Auto) })
            if (t.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(t.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
            {
                device = new OnnxDevice(kind, id);
                return true;
            }
        return false;
    }

    /// <summary>The spelling <see cref="Parse"/> reads back: <c>cpu</c>, <c>cuda:N</c>, <c>auto</c> or <c>auto:N</c>.</summary>
    public override string ToString() => Kind switch
    {
        OnnxDeviceKind.Cuda => $"cuda:{Id}",
        OnnxDeviceKind.Auto => Id == 0 ? "auto" : $"auto:{Id}",
        _ => "cpu",
    };
}
