namespace DitML.Onnx;

/// <summary>
/// A session was asked to run on a device this process cannot use (a CPU-only build asked for CUDA, CUDA libraries or a
/// GPU missing); the message says what is missing. Thrown before any work starts, so nothing is lost.
/// </summary>
public sealed class DeviceUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public DeviceUnavailableException(OnnxDevice device, string reason, Exception? inner = null)
        : base($"cannot run on {device}: {reason}", inner)
    {
        Device = device;
        Reason = reason;
    }

    /// <summary>The device asked for.</summary>
    public OnnxDevice Device { get; }

    /// <summary>What is missing, without the device.</summary>
    public string Reason { get; }
}
