using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using DitML.Build;
using TorchSharp;

namespace DitML.Native;

/// <summary>
/// Makes TorchSharp's native library load wherever DitML.Torch is used: an app's build output, a ProjectReference, a
/// PackageReference, or the .NET Interactive kernel, whose packages are loaded straight from the NuGet cache.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> names GLIBCXX_3.4.32 (GCC 13) only as a link-time anchor, so the
/// loader of Debian 12 or Ubuntu 22.04 (libstdc++ up to 3.4.30) refuses it. DitML's build step weakens that need in a
/// build output's copy; where no build step ran, the first load fails and this resolver, asked by .NET for the library
/// it could not load, writes a weakened copy to a private cache (never the NuGet cache) and loads that. Nothing is done
/// where the system's libstdc++ has the version, or on other systems. It is registered when DitML.Torch is first used;
/// code that calls TorchSharp before any DitML type calls <see cref="EnsureLoadable"/> first.
/// </remarks>
public static class TorchSharpNative
{
    private const string LibraryName = "LibTorchSharp";
    private const string FileName = "libLibTorchSharp.so";
    private static readonly string Rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
    private static int registered;

    /// <summary>The copy the resolver loaded, or null when none was needed (or none has been loaded yet).</summary>
    public static string? PatchedCopy { get; private set; }

    /// <summary>Registers the resolver (once; later calls do nothing). Call before the first TorchSharp call.</summary>
    public static void EnsureLoadable()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref registered, 1) == 1) return;
        var torchSharp = typeof(torch).Assembly;                            // typeof does not run torch's static constructor
        var context = AssemblyLoadContext.GetLoadContext(torchSharp) ?? AssemblyLoadContext.Default;
        context.ResolvingUnmanagedDll += (assembly, name) => assembly == torchSharp && name == LibraryName ? Resolve(torchSharp) : IntPtr.Zero;
        PreloadFromPackageCache(torchSharp);
    }

    /// <summary>
    /// Where TorchSharp runs from the NuGet cache (the kernel), no deps.json tells .NET where libtorch is, and TorchSharp's
    /// first attempt, a load by name, takes whatever libtorch_cpu.so the system has (Debian's python3-torch ships 1.13),
    /// which then shadows the right one. Loading libtorch from its package first makes that load by name find it.
    /// </summary>
    private static void PreloadFromPackageCache(System.Reflection.Assembly torchSharp)
    {
        string managed = Path.GetDirectoryName(torchSharp.Location) ?? "";
        var lib = Directory.GetParent(managed);                             // packages/torchsharp/<version>/lib/<tfm>/
        if (lib?.Name != "lib" || !string.Equals(lib.Parent?.Parent?.Name, "torchsharp", StringComparison.OrdinalIgnoreCase)) return;
        if (Original(torchSharp) is not { } original || PackagedTorchFolder(torchSharp, original) is not { } natives) return;
        try
        {
            PreloadDependencies(natives);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            Console.Error.WriteLine($"DitML: could not preload libtorch from {natives}: {e.Message}");
        }
    }

    private static void PreloadDependencies(string natives)
    {
        foreach (var dependency in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so", "libc10_cuda.so", "libtorch_cuda.so" })
        {
            string path = Path.Combine(natives, dependency);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Registering a resolver is cheap and must precede the first TorchSharp call DitML makes.")]
    internal static void Register() => EnsureLoadable();

    private static IntPtr Resolve(System.Reflection.Assembly torchSharp)
    {
        try
        {
            string? original = Original(torchSharp);
            string? libstdcxx = ElfVersionNeeds.FindSystemLibStdCxx();
            if (original is null || libstdcxx is null) return IntPtr.Zero;
            var missing = ElfVersionNeeds.AnchorVersions.Where(v => !ElfVersionNeeds.DefinesVersion(libstdcxx, v)).ToList();
            if (missing.Count == 0) return IntPtr.Zero;                      // it failed for another reason: TorchSharp says which
            byte[] elf = File.ReadAllBytes(original);
            ElfVersionNeeds.Weaken(elf, missing);
            string copy = WriteOnce(elf);
            // The copy's RUNPATH ($ORIGIN) now points at the cache, so its libtorch dependencies are loaded first from
            // their own folder; the loader then matches them by soname (never the system's libtorch, if one is installed).
            string natives = LoadedTorchFolder() ?? PackagedTorchFolder(torchSharp, original) ?? Path.GetDirectoryName(original)!;
            PreloadDependencies(natives);
            IntPtr handle = NativeLibrary.Load(copy);
            PatchedCopy = copy;
            return handle;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or BadImageFormatException or InvalidDataException)
        {
            Console.Error.WriteLine($"DitML: could not make TorchSharp's {FileName} loadable: {e.Message}");
            return IntPtr.Zero;
        }
    }

    /// <summary>The library as shipped: beside the app (build outputs) or in TorchSharp's package (NuGet cache).</summary>
    private static string? Original(System.Reflection.Assembly torchSharp)
    {
        string managed = Path.GetDirectoryName(torchSharp.Location) ?? AppContext.BaseDirectory;
        string[] candidates =
        [
            Path.Combine(managed, "runtimes", Rid, "native", FileName),
            Path.Combine(managed, FileName),
            Path.GetFullPath(Path.Combine(managed, "..", "..", "runtimes", Rid, "native", FileName)),   // packages/torchsharp/V/lib/netX/
            Path.Combine(AppContext.BaseDirectory, "runtimes", Rid, "native", FileName),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>The folder of the libtorch_cpu.so this process loaded (TorchSharp loads it before its own library).</summary>
    private static string? LoadedTorchFolder()
    {
        const string Maps = "/proc/self/maps";
        if (!File.Exists(Maps)) return null;
        foreach (var line in File.ReadLines(Maps))
        {
            int slash = line.IndexOf('/');
            if (slash >= 0 && line.EndsWith("/libtorch_cpu.so", StringComparison.Ordinal)) return Path.GetDirectoryName(line[slash..]);
        }
        return null;
    }

    /// <summary>
    /// Where libtorch's own libraries are when TorchSharp runs from the NuGet cache (the kernel): beside the library in
    /// a build output, else in the libtorch package next to TorchSharp's (the newest version holding libtorch_cpu.so).
    /// </summary>
    private static string? PackagedTorchFolder(System.Reflection.Assembly torchSharp, string original)
    {
        string beside = Path.GetDirectoryName(original)!;
        if (File.Exists(Path.Combine(beside, "libtorch_cpu.so"))) return beside;
        string managed = Path.GetDirectoryName(torchSharp.Location) ?? "";
        var roots = new[]
        {
            Path.GetFullPath(Path.Combine(managed, "..", "..", "..", "..")),                               // packages/torchsharp/V/lib/netX/
            Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        };
        foreach (var root in roots.Where(r => !string.IsNullOrEmpty(r) && Directory.Exists(r)))
        {
            var found = Directory.EnumerateDirectories(root!, "libtorch-*-" + Rid)
                .SelectMany(package => Directory.EnumerateDirectories(package))
                .Select(version => Path.Combine(version, "runtimes", Rid, "native"))
                .Where(folder => File.Exists(Path.Combine(folder, "libtorch_cpu.so")))
                .OrderByDescending(folder => Version.TryParse(new DirectoryInfo(folder).Parent!.Parent!.Name, out var v) ? v : new Version())
                .FirstOrDefault();
            if (found is not null) return found;
        }
        return null;
    }

    /// <summary>Writes the copy under a name of its content, atomically: processes racing write identical files.</summary>
    private static string WriteOnce(byte[] elf)
    {
        string root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        string folder = Path.Combine(root, "ditml", "native", Convert.ToHexString(SHA256.HashData(elf))[..16].ToLowerInvariant());
        string path = Path.Combine(folder, FileName);
        if (File.Exists(path) && new FileInfo(path).Length == elf.Length) return path;
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $"{FileName}.{Environment.ProcessId}.tmp");
        File.WriteAllBytes(temp, elf);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
