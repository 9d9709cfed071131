namespace DitML.Cli.Tests.Packaging;

/// <summary>
/// The GPU build as a user makes it on a machine without CUDA: <c>-p:DitMLDevice=cuda</c> restores only served packages
/// (ONNX Runtime's CUDA provider, 1.31.0) into bin/cuda beside the CPU build; the QuickStart built so refuses
/// <c>--device cuda</c> at once, naming the CUDA library that is missing, and with <c>--device auto</c> draws exactly the
/// CPU build's grid. (Its GPU path runs in scripts/gpu-check.sh, on a machine with an NVIDIA GPU.)
/// </summary>
[TestClass]
public sealed class GpuBuildTests
{
    [TestMethod]
    public void TheGpuQuickStartNamesTheMissingCudaLibraryAndOtherwiseMatchesTheCpuBuild()
    {
        string root = DotNet.RepositoryRoot, project = Path.Combine(root, "examples", "QuickStart");
        string config = DotNet.Configuration;
        DotNet.Run(root, TimeSpan.FromMinutes(8), "build", project, "-c", config, "-p:DitMLDevice=cuda");
        DotNet.Run(root, TimeSpan.FromMinutes(4), "build", project, "-c", config, "--no-dependencies");
        string gpu = Path.Combine(project, "bin", "cuda", config, "net10.0", "QuickStart.dll");
        string cpu = Path.Combine(project, "bin", config, "net10.0", "QuickStart.dll");
        Assert.IsTrue(File.Exists(Path.Combine(Path.GetDirectoryName(gpu)!, "runtimes", "linux-x64", "native", "libonnxruntime_providers_cuda.so")),
            "the GPU build carries ONNX Runtime's CUDA provider");
        Assert.IsFalse(File.Exists(Path.Combine(Path.GetDirectoryName(cpu)!, "runtimes", "linux-x64", "native", "libonnxruntime_providers_cuda.so")),
            "the CPU build does not");

        string dir = Directory.CreateTempSubdirectory("ditml-gpu-build").FullName;
        try
        {
            var (code, output) = DotNet.RunAny(dir, TimeSpan.FromMinutes(2), gpu, "--per-class", "1", "--device", "cuda", "--out", "refused.png");
            if (code == 0) Assert.Inconclusive("this machine runs CUDA: the refusal does not apply (scripts/gpu-check.sh checks the GPU path)");
            Assert.AreEqual(2, code, output);
            StringAssert.Contains(output, "error: cannot run on cuda:0: ONNX Runtime's CUDA provider cannot load: ");
            StringAssert.Matches(output, new System.Text.RegularExpressions.Regex(@"lib[\w]+\.so[.\d]* is not on the library path"), "names the missing library");
            Assert.DoesNotContain("   at ", output, "no stack trace");
            Assert.IsFalse(File.Exists(Path.Combine(dir, "refused.png")));

            DotNet.Run(dir, TimeSpan.FromMinutes(2), gpu, "--per-class", "1", "--device", "auto", "--out", "gpu-build.png");
            DotNet.Run(dir, TimeSpan.FromMinutes(2), cpu, "--per-class", "1", "--out", "cpu-build.png");
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dir, "cpu-build.png")), File.ReadAllBytes(Path.Combine(dir, "gpu-build.png")),
                "the GPU build on a CPU draws the CPU build's grid");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
