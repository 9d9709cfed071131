using System.Text.Json;
using DitML.Metrics;
using DitML.Classifiers.Inception;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Classifiers;

/// <summary>
/// FID InceptionV3 exported to ONNX and run by ONNX Runtime (no libtorch in the run) equals PyTorch's patched Inception3
/// on the closed-form weights of <see cref="FidInceptionV3Tests"/>, resize included.
/// </summary>
[TestClass]
public sealed class InceptionOnnxExporterTests
{
    private static string Export(FidInceptionV3 model, InceptionOnnxExportOptions options)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ditml-inception-{Guid.NewGuid():N}.onnx");
        InceptionOnnxExporter.Export(model, options).Save(path);
        return path;
    }

    [TestMethod]
    public void OnnxRuntimeGivesPyTorchsFeaturesAndProbabilities()
    {
        using var model = new FidInceptionV3();
        FidInceptionV3Tests.FillClosedForm(model);
        string path = Export(model, new InceptionOnnxExportOptions { Height = 32, Width = 32 });
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(FidInceptionV3Tests.Fixture("inception_io.json")));
            float[] Read(string key) => doc.RootElement.GetProperty(key).EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var pixels = Read("input").Select(v => 2 * v - 1).ToArray();       // pytorch-fid's [0, 1] → DitML's [−1, 1]
            using var onnx = new OnnxImageClassifier(path);
            CollectionAssert.AreEqual(new[] { 3, 32, 32 }, onnx.InputShape);
            Assert.AreEqual(2048, onnx.FeatureSize);
            Assert.AreEqual(1008, onnx.Classes);
            var (features, probabilities) = onnx.Run(pixels);
            double e1 = FidInceptionV3Tests.RelativeError(Read("pool3"), features);
            using var logits = tensor(Read("logits"), [2, 1008]);
            double e2 = FidInceptionV3Tests.RelativeError(logits.softmax(1).data<float>().ToArray(), probabilities);
            Assert.IsLessThan(1e-4, e1, $"pool3 relative error {e1:E2}");
            Assert.IsLessThan(1e-4, e2, $"probability relative error {e2:E2}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void GrayscaleImagesAreRepeatedToRgbAsTheTorchSharpExtractorDoes()
    {
        using var model = new FidInceptionV3();
        FidInceptionV3Tests.FillClosedForm(model);
        string path = Export(model, new InceptionOnnxExportOptions { Channels = 1, Height = 28, Width = 28 });
        try
        {
            var pixels = Enumerable.Range(0, 2 * 28 * 28).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
            using var onnx = new OnnxImageClassifier(path);
            var (features, _) = onnx.Run(pixels);
            var (expected, _) = new InceptionFeatureExtractor(model).Extract(pixels, 1, 28, 28);
            double error = FidInceptionV3Tests.RelativeError(expected, features);
            Assert.IsLessThan(1e-4, error, $"relative error {error:E2}");
            OnnxChecker.AssertAccepts(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ShapesInceptionCannotTakeAreRefused()
    {
        using var model = new FidInceptionV3();
        var error = Assert.ThrowsExactly<ArgumentException>(() => InceptionOnnxExporter.Export(model, new InceptionOnnxExportOptions { Channels = 4 }));
        StringAssert.Contains(error.Message, "1 or 3");
    }
}
