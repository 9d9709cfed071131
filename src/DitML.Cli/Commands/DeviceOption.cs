using System.CommandLine;
using DitML.Onnx;

namespace DitML.Cli.Commands;

/// <summary>
/// <c>--device cpu|cuda|cuda:N|auto</c>, shared by the commands that run ONNX Runtime sessions. Read and checked before
/// any work starts, so that a GPU that cannot be used is named at once (exit code 2), not after a model is loaded.
/// </summary>
internal static class DeviceOption
{
    public static Option<string> Create(string what) => new("--device")
    {
        Description = $"{what} run on: cpu, cuda (GPU 0), cuda:N, or auto (the GPU when CUDA loads, else the CPU). CUDA needs the GPU build (-p:DitMLDevice=cuda) and CUDA 13 + cuDNN 9.",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>The device asked for, resolved: auto becomes cuda:0 or cpu; an unusable CUDA throws, saying what is missing.</summary>
    /// <exception cref="FormatException">Not a device's spelling.</exception>
    /// <exception cref="DeviceUnavailableException">CUDA asked for and unusable here.</exception>
    public static OnnxDevice Read(ParseResult parse, Option<string> option)
    {
        var device = OnnxDevice.Parse(parse.GetValue(option)!);
        device.Resolve();
        return device;
    }
}
