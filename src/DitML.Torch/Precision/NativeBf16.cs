namespace DitML.Precision;

/// <summary>
/// Whether this CPU computes bfloat16 natively. libtorch's CPU bf16 matmul is fast only with AVX512-BF16 or AMX (x86) or
/// the BF16 extension (Arm); elsewhere it emulates bf16 and runs far slower than float32 (measured on an AVX2-only
/// Zen 3: a bf16 matmul at 0.02× the float32 rate, the bf16 trainer at 0.08× the float32 trainer). Read from
/// <c>/proc/cpuinfo</c>, so known on Linux only.
/// </summary>
public static class NativeBf16
{
    private static readonly Lazy<bool?> Detected = new(() =>
    {
        try
        {
            return File.Exists("/proc/cpuinfo") ? FromCpuInfo(File.ReadAllText("/proc/cpuinfo")) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    });

    /// <summary>True when this CPU has native bf16 arithmetic, false when it has none, null when the platform does not say.</summary>
    public static bool? IsSupported => Detected.Value;

    /// <summary>
    /// The answer a <c>/proc/cpuinfo</c> text gives: x86's "flags" lines name <c>avx512_bf16</c> or <c>amx_bf16</c>, Arm's
    /// "Features" lines <c>bf16</c>; null when the text has neither kind of line.
    /// </summary>
    public static bool? FromCpuInfo(string cpuInfo)
    {
        ArgumentNullException.ThrowIfNull(cpuInfo);
        bool? found = null;
        foreach (var line in cpuInfo.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string key = line[..colon].Trim();
            if (key is not ("flags" or "Features")) continue;
            var features = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            bool native = key == "flags" ? features.Any(f => f is "avx512_bf16" or "amx_bf16") : features.Contains("bf16");
            if (!native) return false;                       // every core must have it
            found = true;
        }
        return found;
    }

    /// <summary>A warning to show a user who asked for bf16 on a CPU without it (null when there is nothing to warn about).</summary>
    public static string? WarningFor(ComputePrecision precision) => precision == ComputePrecision.Bf16 && IsSupported == false
        ? "this CPU has no native bfloat16 (no avx512_bf16, amx_bf16 or bf16 in /proc/cpuinfo): libtorch emulates it, far slower than fp32 (about 0.1× here is typical); use --precision fp32"
        : null;
}
