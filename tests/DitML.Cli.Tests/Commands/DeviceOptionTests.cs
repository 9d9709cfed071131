using Microsoft.ML.OnnxRuntime;

namespace DitML.Cli.Tests.Commands;

/// <summary>
/// <c>--device</c> on <c>ditml sample</c> and <c>ditml fid</c> in this CPU build: CUDA is refused before any work, in one
/// line (exit code 2, no stack trace, nothing written); auto runs on the CPU and says so.
/// </summary>
[TestClass]
public sealed class DeviceOptionTests
{
    private static string Shipped(string file) => Path.Combine(Packaging.DotNet.RepositoryRoot, "examples", "models", "fashion-mnist", file);

    [TestInitialize]
    public void RequireCpuOnlyBuild()
    {
        if (OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
            Assert.Inconclusive("this build carries ONNX Runtime's CUDA provider");
    }

    private static void AssertOneLineRefusal(int code, string error, string expected)
    {
        Assert.AreEqual(2, code, error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, $"one line, no stack trace: {error}");
        StringAssert.StartsWith(lines[0], "error: ");
        StringAssert.Contains(lines[0], expected);
    }

    [TestMethod]
    public void SampleOnCudaIsRefusedAtOnceAndAutoRunsOnTheCpu()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-cli-device").FullName;
        try
        {
            string png = Path.Combine(dir, "grid.png");
            string[] Sample(string device) => ["sample", "--model", Shipped("model.onnx"), "--classes", "0,1", "--per-class", "2", "--steps", "2", "--out", png, "--device", device];

            var (code, _, error) = CliRunner.Run(Sample("cuda:1"));
            AssertOneLineRefusal(code, error, "cannot run on cuda:1: this build of DitML carries the CPU-only ONNX Runtime; build it with -p:DitMLDevice=cuda");
            Assert.IsFalse(File.Exists(png), "refused before anything was written");

            (code, _, error) = CliRunner.Run(Sample("gpu"));
            AssertOneLineRefusal(code, error, "'gpu' is not a device: use cpu, cuda, cuda:N");

            (code, var output, error) = CliRunner.Run(Sample("auto"));
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "on cpu");
            Assert.IsTrue(File.Exists(png));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void FidOnCudaIsRefusedAtOnceAndInceptionWeightsOnAGpuAreExplained()
    {
        string stats = Shipped("test-stats.npz");
        var (code, _, error) = CliRunner.Run("fid", "--real", stats, "--fake", stats, "--classifier", Shipped("classifier.onnx"), "--device", "cuda");
        AssertOneLineRefusal(code, error, "cannot run on cuda:0");

        (code, _, error) = CliRunner.Run("fid", "--real", stats, "--fake", stats, "--features", "inception", "--device", "cuda");
        AssertOneLineRefusal(code, error, "ditml export-inception");
    }
}
