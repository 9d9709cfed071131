using System.Globalization;
using System.Text.Json;
using DitML.Models;

namespace DitML.Cli.Tests.Commands;

/// <summary>Image-space DiffiT through the CLI: info, EDM training, export and sampling end to end on a tiny free config.</summary>
[TestClass]
public sealed class ImageDiffiTCommandTests
{
    private static readonly string[] Tiny = ["--stage-channels", "8,16", "--blocks", "1,1", "--window", "4", "--head-dim", "4", "--groups", "4", "--time-width", "16"];

    [TestMethod]
    public void InfoPrintsThePapersCifar10ConfigItsParameterCountAndGflops()
    {
        var (code, output, error) = CliRunner.Run("info", "--model", "DiffiT-CIFAR10");
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "18,694,955");
        StringAssert.Contains(output, string.Create(CultureInfo.InvariantCulture, $"Gflops         {ImageDiffiTComplexity.Gflops(ImageDiffiTConfig.Cifar10):F2}"));
        StringAssert.Contains(output, "Gflops         3.84");
        StringAssert.Contains(output, "32×32 × 128 channels");
        StringAssert.Contains(output, "4×4 windows");
        (code, output, error) = CliRunner.Run("info", "--model", "DiffiT-FFHQ64", "--json");
        Assert.AreEqual(0, code, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.AreEqual("image-diffit", root.GetProperty("family").GetString());
        Assert.AreEqual(26_024_247, root.GetProperty("parameters").GetInt64());
        Assert.AreEqual(8, root.GetProperty("config").GetProperty("window_size").GetInt32());
        Assert.AreEqual(Math.Round(ImageDiffiTComplexity.Gflops(ImageDiffiTConfig.Ffhq64), 4), root.GetProperty("gflops").GetDouble());
    }

    [TestMethod]
    public void TrainExportAndSampleAnEdmModel()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-cli-diffit-").FullName;
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run"), onnx = Path.Combine(dir, "m.onnx"), png = Path.Combine(dir, "grid.png");
            IdxFiles.Write(data, 8, 8, 2);
            var (code, output, error) = CliRunner.Run(["train", "--model", "DiffiT-CIFAR10", "--data", data, .. Tiny, "--steps", "3", "--batch", "4", "--log-every", "1", "--out", run]);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "with EDM");
            Assert.HasCount(3, File.ReadAllLines(Path.Combine(run, "log.jsonl")));

            (code, output, error) = CliRunner.Run("train", "--resume", "--data", data, "--steps", "4", "--out", run);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "from step 3 to 4");

            (code, output, error) = CliRunner.Run("export-onnx", "--checkpoint", Path.Combine(run, "checkpoint.safetensors"), "--out", onnx, "--cfg", "1.5");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "EDM denoiser");

            (code, output, error) = CliRunner.Run("sample", "--model", onnx, "--classes", "0,1", "--per-class", "2", "--out", png);
            Assert.AreEqual(0, code, error);
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            Assert.AreEqual((2 * 10 + 2, 2 * 10 + 2), (bitmap.Width, bitmap.Height), "2 rows of 2 8-px images with 2-px padding");

            (code, _, error) = CliRunner.Run("sample", "--model", onnx, "--classes", "0", "--per-class", "1", "--sampler", "ddim", "--out", png);
            Assert.AreNotEqual(0, code);
            StringAssert.Contains(error, "heun");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AWindowThatDoesNotDivideTheStagesIsRefusedBeforeAnythingIsWritten()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-cli-diffit-").FullName;
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run");
            IdxFiles.Write(data, 4, 28, 2);
            var (code, _, error) = CliRunner.Run("train", "--model", "DiffiT-CIFAR10", "--data", data, "--steps", "1", "--out", run);
            Assert.AreNotEqual(0, code);
            StringAssert.Contains(error, "--window");
            StringAssert.Contains(error, "resolution 14");
            Assert.IsFalse(Directory.Exists(run));
            (code, _, error) = CliRunner.Run("train", "--model", "DiT-S/4", "--data", data, "--window", "7", "--steps", "1", "--out", run);
            Assert.AreNotEqual(0, code);
            StringAssert.Contains(error, "--window applies to image DiffiT");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
