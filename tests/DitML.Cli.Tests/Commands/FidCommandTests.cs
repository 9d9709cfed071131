using System.Globalization;
using DitML.Metrics;
using DitML.Numpy;
using static TorchSharp.torch;
using DitML.Classifiers.Inception;
using DitML.Classifiers;

namespace DitML.Cli.Tests.Commands;

[TestClass]
public sealed class FidCommandTests
{
    private static string dir = "";
    private static string classifier = "";

    [ClassInitialize]
    public static void MakeClassifier(TestContext _)
    {
        dir = Directory.CreateTempSubdirectory("ditml-fid-").FullName;
        manual_seed(2);
        using var model = new FashionMnistClassifier();
        model.eval();
        classifier = Path.Combine(dir, "classifier.onnx");
        FashionMnistClassifierExporter.Export(model).Save(classifier);
    }

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(dir, recursive: true);

    private static string Samples(string name, int n, int seed, int brightness)
    {
        var rng = new Random(seed);
        var bytes = new byte[n * 28 * 28];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp(rng.Next(256) / 2 + brightness, 0, 255);
        string path = Path.Combine(dir, name);
        NpyWriter.SaveImagesNpz(path, bytes, n, 28, 28, 1);
        return path;
    }

    private static double Value(string output, string metric) =>
        double.Parse(output.Split('\n').First(l => l.StartsWith(metric + ":", StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    [TestMethod]
    public void ReportsEachMetricOnItsOwnLineAndSavesStatistics()
    {
        string a = Samples("a.npz", 300, 1, 0), b = Samples("b.npz", 300, 2, 60), stats = Path.Combine(dir, "b-stats.npz");
        var (code, output, error) = CliRunner.Run("fid", "--real", a, "--fake", b, "--classifier", classifier, "--save-stats", stats);
        Assert.AreEqual(0, code, error);
        double fid = Value(output, "FID");
        Assert.IsTrue(fid > 0, output);
        Assert.IsTrue(Value(output, "Inception Score") >= 1, output);
        Assert.IsTrue(Value(output, "Precision") is >= 0 and <= 1, output);
        Assert.IsTrue(Value(output, "Recall") is >= 0 and <= 1, output);
        Assert.AreEqual("", error, "300 samples of 256 features: full-rank covariance, no warning");
    }

    [TestMethod]
    public void StatisticsFilesGiveTheSameFidAsTheImages()
    {
        string a = Samples("c.npz", 400, 3, 0), b = Samples("d.npz", 400, 4, 40);
        string sa = Path.Combine(dir, "c-stats.npz"), sb = Path.Combine(dir, "d-stats.npz");
        var direct = CliRunner.Run("fid", "--real", a, "--fake", b, "--classifier", classifier, "--save-stats", sb);
        CliRunner.Run("fid", "--real", b, "--fake", a, "--classifier", classifier, "--save-stats", sa);
        var fromStats = CliRunner.Run("fid", "--real", sa, "--fake", sb, "--classifier", classifier);
        Assert.AreEqual(0, fromStats.ExitCode, fromStats.Error);
        Assert.AreEqual(Value(direct.Output, "FID"), Value(fromStats.Output, "FID"), 1e-3);
        Assert.AreEqual(0, Value(CliRunner.Run("fid", "--real", sa, "--fake", sa).Output, "FID"), 1e-6, "a set against itself");
    }

    [TestMethod]
    public void FewerSamplesThanFeaturesWarn()
    {
        string a = Samples("f.npz", 100, 6, 0), b = Samples("g.npz", 100, 7, 30);
        var (code, _, error) = CliRunner.Run("fid", "--real", a, "--fake", b, "--classifier", classifier);
        Assert.AreEqual(0, code);
        StringAssert.Contains(error, "rank-deficient");
    }

    [TestMethod]
    public void MissingInceptionWeightsAreNamedWithWhereToGetThem()
    {
        string a = Samples("i.npz", 4, 7, 0);
        var (code, _, error) = CliRunner.Run("fid", "--real", a, "--fake", a, "--features", "inception", "--inception-weights", "/no/pt_inception-2015-12-05-6726825d.pth");
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "/no/pt_inception-2015-12-05-6726825d.pth");
        StringAssert.Contains(error, "pytorch-fid");
    }

    [TestMethod]
    public void ImageFoldersAreASourceOfImages()
    {
        // The same images as a folder of PNGs and as an ADM .npz: the same statistics, so FID 0.
        string npz = Samples("f.npz", 12, 9, 0);
        var images = DitML.Numpy.NpyArray.ReadNpz(npz)["arr_0"];
        string folder = Path.Combine(dir, "folder", "all");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < 12; i++)
            File.WriteAllBytes(Path.Combine(folder, $"{i:D2}.png"), DitML.Imaging.PngEncoder.Encode(new DitML.Imaging.ByteImage(28, 28, 1, images.Data.AsSpan(i * 784, 784).ToArray())));
        var (code, output, error) = CliRunner.Run("fid", "--real", Path.Combine(dir, "folder"), "--fake", npz, "--classifier", classifier);
        Assert.AreEqual(0, code, error);
        Assert.AreEqual(0, Value(output, "FID"), 1e-3, output);
    }

    [TestMethod]
    public void MissingClassifierIsNamed()
    {
        string a = Samples("e.npz", 20, 5, 0);
        var (code, _, error) = CliRunner.Run("fid", "--real", a, "--fake", a, "--classifier", "/no/classifier.onnx");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "/no/classifier.onnx");
    }

    [TestMethod]
    public void InceptionExportedToOnnxGivesTheFidOfTheTorchSharpInception()
    {
        // Random-weight FID Inception written as a .pth would be (a torch.save'd state_dict), exported for 28×28 grayscale.
        string weights = Path.Combine(dir, "inception.pt"), onnx = Path.Combine(dir, "inception.onnx");
        manual_seed(5);
        using (var model = new DitML.Classifiers.Inception.FidInceptionV3())
        {
            // PyTorch's default conv init has variance 1/(3·fan_in): through 40-odd ReLU layers the features vanish.
            // ×√6 gives He's 2/fan_in, so the random network's features keep their scale and differ between images.
            using (no_grad())
                foreach (var (name, t) in model.state_dict().Where(kv => kv.Key.EndsWith("conv.weight", StringComparison.Ordinal)))
                    t.mul_(Math.Sqrt(6));
            DitML.Checkpoints.PyTorchCheckpoint.Write(weights, DitML.Checkpoints.ModelStateDict.Export(model));
        }
        var export = CliRunner.Run("export-inception", "--weights", weights, "--out", onnx, "--channels", "1", "--image-size", "28");
        Assert.AreEqual(0, export.ExitCode, export.Error);
        StringAssert.Contains(export.Output, "1×28×28");

        string a = Samples("inc-a.npz", 10, 11, 0), b = Samples("inc-b.npz", 10, 12, 50);
        var viaOnnx = CliRunner.Run("fid", "--real", a, "--fake", b, "--classifier", onnx);
        var viaTorch = CliRunner.Run("fid", "--real", a, "--fake", b, "--features", "inception", "--inception-weights", weights);
        Assert.AreEqual(0, viaOnnx.ExitCode, viaOnnx.Error);
        Assert.AreEqual(0, viaTorch.ExitCode, viaTorch.Error);
        double fid = Value(viaTorch.Output, "FID");
        Assert.IsGreaterThan(0, fid, viaTorch.Output);
        Assert.AreEqual(fid, Value(viaOnnx.Output, "FID"), 1e-3 * fid, $"ONNX Runtime:\n{viaOnnx.Output}\nTorchSharp:\n{viaTorch.Output}");
        Assert.AreEqual(Value(viaTorch.Output, "Inception Score"), Value(viaOnnx.Output, "Inception Score"), 1e-3);
    }
}
