using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DitML.Native;

/// <summary>
/// Keeps libtorch's CPU kernels on AVX2. On this project's CI machine (a 2-core AMD EPYC VM) libtorch 2.10 now and then
/// returns wrong numbers in convolution backward passes — a NaN in an input gradient, or the same training step giving
/// a loss that differs in the fourth digit. With ATen's vectorized kernels, MKL and oneDNN capped at AVX2 it became much
/// rarer (VAE trainer tests: 11 of 16 runs failed uncapped, 2 of 30 capped; README) at the same training speed there.
/// libtorch reads the caps (<c>ATEN_CPU_CAPABILITY</c>, <c>MKL_ENABLE_INSTRUCTIONS</c>, <c>ONEDNN_MAX_CPU_ISA</c>) from
/// the native environment at its first operation, so DitML sets them when its TorchSharp assembly loads, leaving any
/// value the user set. Set <c>DITML_ALLOW_AVX512=1</c> to keep libtorch's choice (e.g. on Intel servers, where AVX-512
/// is faster).
/// </summary>
public static class CpuInstructionSet
{
    /// <summary>The environment variable that turns the cap off (value "1").</summary>
    public const string AllowAvx512Variable = "DITML_ALLOW_AVX512";

    /// <summary>The variables set, with their values.</summary>
    public static IReadOnlyList<(string Name, string Value)> Caps { get; } =
        [("ATEN_CPU_CAPABILITY", "avx2"), ("MKL_ENABLE_INSTRUCTIONS", "AVX2"), ("ONEDNN_MAX_CPU_ISA", "AVX2")];

    /// <summary>Whether the caps are in the process environment (set by DitML or by the user).</summary>
    public static bool Applied { get; private set; }

#pragma warning disable CA2255 // a library module initializer, on purpose: it must run before libtorch's first kernel
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnLoad() => Apply();

    /// <summary>
    /// Sets the caps unless <see cref="AllowAvx512Variable"/> is "1" or the process is not on x86-64; values already in
    /// the environment are kept. Runs when DitML.Torch loads; call it first yourself only if your program runs TorchSharp
    /// operations before it touches any DitML type. Returns whether the caps are in place.
    /// </summary>
    public static bool Apply()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || Environment.GetEnvironmentVariable(AllowAvx512Variable) == "1")
            return Applied = false;
        foreach (var (name, value) in Caps)
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) continue;
            // .NET's Environment.SetEnvironmentVariable does not reach the C runtime's environment on Unix, where
            // libtorch looks: set it there too.
            Environment.SetEnvironmentVariable(name, value);
            if (OperatingSystem.IsLinux()) _ = LinuxSetEnv(name, value, 0);
            else if (OperatingSystem.IsWindows()) _ = WindowsPutEnv(name, value);
        }
        return Applied = true;
    }

    [DllImport("libc.so.6", EntryPoint = "setenv", CharSet = CharSet.Ansi)]
    private static extern int LinuxSetEnv(string name, string value, int overwrite);

    [DllImport("ucrtbase.dll", EntryPoint = "_putenv_s", CharSet = CharSet.Ansi)]
    private static extern int WindowsPutEnv(string name, string value);
}
