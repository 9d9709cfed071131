using System.IO.Compression;
using DitML.Checkpoints;
using DitML.Models;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Cli.Tests.Commands;

/// <summary>`ditml export-onnx` then `ditml sample`, end to end on a small random pixel-space model.</summary>
[TestClass]
public sealed class ExportAndSampleTests
{
    private static string dir = "";
    private static string onnx = "";

    [ClassInitialize]
    public static void Export(TestContext _)
    {
        dir = Directory.CreateTempSubdirectory("ditml-cli-").FullName;
        manual_seed(0);
        using var model = new DiT(new DiTConfig { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 3 });
        using (no_grad()) foreach (var (name, p) in model.named_parameters()) if (name != "pos_embed") p.normal_(0, 0.05);
        string checkpoint = Path.Combine(dir, "tiny.safetensors");
        DiTCheckpoint.Save(checkpoint, model);
        onnx = Path.Combine(dir, "tiny.onnx");
        var (code, output, error) = CliRunner.Run("export-onnx", "--checkpoint", checkpoint, "--out", onnx);
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "pixel space");
    }

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(dir, recursive: true);

    [TestMethod]
    public void SampleWritesAGridAndAnAdmNpzAndIsReproducible()
    {
        string png = Path.Combine(dir, "grid.png"), npz = Path.Combine(dir, "s.npz"), png2 = Path.Combine(dir, "grid2.png");
        var (code, output, error) = CliRunner.Run("sample", "--model", onnx, "--classes", "0,2", "--per-class", "3", "--seed", "5",
            "--sampler", "ddim", "--steps", "5", "--cfg", "3", "--out", png, "--npz", npz);
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "2 classes × 3 images");
        using (var bitmap = SkiaSharp.SKBitmap.Decode(png))
            Assert.AreEqual((3 * 10 + 2, 2 * 10 + 2), (bitmap.Width, bitmap.Height), "2 rows of 3 8-px images with 2-px padding");
        using (var zip = ZipFile.OpenRead(npz))
        {
            var entry = zip.GetEntry("arr_0.npy")!;
            using var s = entry.Open();
            var bytes = new byte[entry.Length];
            s.ReadExactly(bytes);
            string header = System.Text.Encoding.ASCII.GetString(bytes, 10, BitConverter.ToUInt16(bytes, 8));
            StringAssert.Contains(header, "'descr': '|u1'");
            StringAssert.Contains(header, "'shape': (6, 8, 8, 1)");
        }
        Assert.AreEqual(0, CliRunner.Run("sample", "--model", onnx, "--classes", "0,2", "--per-class", "3", "--seed", "5",
            "--sampler", "ddim", "--steps", "5", "--cfg", "3", "--out", png2).ExitCode);
        CollectionAssert.AreEqual(File.ReadAllBytes(png), File.ReadAllBytes(png2), "same seed, same images");
    }

    [TestMethod]
    public void Int8ExportSamplesLikeAnyModel()
    {
        string int8 = Path.Combine(dir, "tiny-int8.onnx"), png = Path.Combine(dir, "int8.png");
        var (code, output, error) = CliRunner.Run("export-onnx", "--checkpoint", Path.Combine(dir, "tiny.safetensors"), "--out", int8, "--precision", "int8");
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "int8");
        using (var denoiser = new DitML.Onnx.OnnxDenoiser(int8))
            Assert.AreEqual(DitML.Onnx.OnnxPrecision.Int8, denoiser.Info.Precision);
        Assert.IsLessThan(new FileInfo(onnx).Length, new FileInfo(int8).Length, "int8 weights are smaller");
        (code, _, error) = CliRunner.Run("sample", "--model", int8, "--classes", "0,2", "--per-class", "2", "--seed", "5", "--steps", "4", "--out", png);
        Assert.AreEqual(0, code, error);
        Assert.IsTrue(File.Exists(png));

        (code, _, error) = CliRunner.Run("export-onnx", "--checkpoint", Path.Combine(dir, "tiny.safetensors"), "--out", Path.Combine(dir, "bad.onnx"), "--precision", "int4");
        Assert.AreNotEqual(0, code);
        StringAssert.Contains(error, "int4");
        Assert.IsFalse(File.Exists(Path.Combine(dir, "bad.onnx")), "nothing written");
    }

    [TestMethod]
    public void UnknownClassIsAClearError()
    {
        var (code, _, error) = CliRunner.Run("sample", "--model", onnx, "--classes", "0,7", "--out", Path.Combine(dir, "x.png"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "unknown class 7");
        StringAssert.Contains(error, "0..2");
    }

    [TestMethod]
    public void WrongFileIsAClearError()
    {
        string bogus = Path.Combine(dir, "bogus.onnx");
        File.WriteAllText(bogus, "not a model");
        var (code, _, error) = CliRunner.Run("sample", "--model", bogus, "--classes", "0", "--out", Path.Combine(dir, "x.png"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "bogus.onnx");
    }

    [TestMethod]
    public void BadSamplerSettingsNameTheSetting()
    {
        var (code, _, error) = CliRunner.Run("sample", "--model", onnx, "--classes", "0", "--steps", "0", "--out", Path.Combine(dir, "x.png"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "Steps");
        (code, _, error) = CliRunner.Run("sample", "--model", onnx, "--classes", "0", "--sampler", "euler", "--out", Path.Combine(dir, "x.png"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "ddpm, ddim, dpm++, heun");
    }
}
