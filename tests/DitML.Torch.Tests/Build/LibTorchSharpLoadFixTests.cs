using DitML.Build;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Build;

/// <summary>The build step that makes TorchSharp's native library load on Debian 12 / Ubuntu 22.04.</summary>
[TestClass]
public sealed class LibTorchSharpLoadFixTests
{
    private static string OutputLibrary =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static string? PackageCacheLibrary()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    private static bool SystemLacksAnchor()
    {
        string? lib = ElfVersionNeeds.FindSystemLibStdCxx();
        return lib != null && !ElfVersionNeeds.DefinesVersion(lib, "GLIBCXX_3.4.32");
    }

    [TestMethod]
    public void TorchLoadsAndComputes()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = a.matmul(a);
        CollectionAssert.AreEqual(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }

    [TestMethod]
    public void OutputCopyIsPatchedOnlyWhereTheSystemLacksTheVersion()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("Linux only");
        var need = ElfVersionNeeds.Read(File.ReadAllBytes(OutputLibrary)).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.AreEqual("libstdc++.so.6", need.Library);
        Assert.AreEqual(SystemLacksAnchor(), need.IsWeak);
    }

    [TestMethod]
    public void PackageCacheIsNeverPatched()
    {
        string? cached = PackageCacheLibrary();
        if (cached == null) Assert.Inconclusive("TorchSharp 0.107.0 is not in the NuGet cache at the default path");
        var need = ElfVersionNeeds.Read(File.ReadAllBytes(cached)).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.IsFalse(need.IsWeak, "the NuGet cache copy must stay as shipped");
    }

    [TestMethod]
    public void PatchWeakensOnlyTheAnchorAndKeepsEverythingElse()
    {
        string? cached = PackageCacheLibrary();
        if (cached == null) Assert.Inconclusive("TorchSharp 0.107.0 is not in the NuGet cache at the default path");
        string temp = Path.Combine(Path.GetTempPath(), $"ditml-elf-{Guid.NewGuid():N}.so");
        File.Copy(cached, temp);
        try
        {
            var before = ElfVersionNeeds.Read(File.ReadAllBytes(temp));
            var stamp = File.GetLastWriteTimeUtc(temp);
            CollectionAssert.AreEqual(new[] { "GLIBCXX_3.4.32" }, ElfVersionNeeds.PatchFile(temp, ElfVersionNeeds.AnchorVersions));
            var after = ElfVersionNeeds.Read(File.ReadAllBytes(temp));
            Assert.AreEqual(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
            {
                Assert.AreEqual(before[i].Version, after[i].Version);
                Assert.AreEqual(before[i].Version == "GLIBCXX_3.4.32", after[i].IsWeak, before[i].Version);
            }
            Assert.AreEqual(stamp, File.GetLastWriteTimeUtc(temp), "timestamp kept so incremental copies skip it");
            Assert.AreEqual(0, ElfVersionNeeds.PatchFile(temp, ElfVersionNeeds.AnchorVersions).Count, "idempotent");
            // Only the two bytes of one vna_flags differ.
            byte[] x = File.ReadAllBytes(cached), y = File.ReadAllBytes(temp);
            Assert.AreEqual(x.Length, y.Length);
            Assert.AreEqual(1, Enumerable.Range(0, x.Length).Count(i => x[i] != y[i]));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    [TestMethod]
    public void RejectsNonElfInput()
    {
        Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[100]));
    }
}
