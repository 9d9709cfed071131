using DitML.Metrics;
using static TorchSharp.torch;
using DitML.Classifiers;

namespace DitML.Torch.Tests.Classifiers;

[TestClass]
public sealed class FashionMnistClassifierTests
{
    [TestMethod]
    public void OnnxExportWithFoldedBatchNormMatchesTorchSharp()
    {
        manual_seed(8);
        using var model = new FashionMnistClassifier();
        using (no_grad())
        {
            // Non-trivial running statistics, so the folding is exercised.
            foreach (var (name, buffer) in model.named_buffers())
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.uniform_(-0.5, 0.5);
                if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.uniform_(0.5, 2);
            }
            foreach (var (name, p) in model.named_parameters())
                if (name.Contains(".1.", StringComparison.Ordinal) || name.Contains(".4.", StringComparison.Ordinal)) p.uniform_(0.5, 1.5);
        }
        model.eval();
        string path = Path.GetTempFileName() + ".onnx";
        try
        {
            FashionMnistClassifierExporter.Export(model).Save(path);
            using var x = rand(3, 1, 28, 28) * 2 - 1;
            using var _ = no_grad();
            var (features, logits) = model.forward(x);
            using var probabilities = nn.functional.softmax(logits, 1);
            using var onnx = new OnnxImageClassifier(path);
            Assert.AreEqual((256, 10, 784), (onnx.FeatureSize, onnx.Classes, onnx.ImageSize));
            var (f, p) = onnx.Run(x.data<float>().ToArray());
            var fe = features.data<float>().ToArray();
            var pe = probabilities.data<float>().ToArray();
            double scale = fe.Max(Math.Abs);
            for (int i = 0; i < f.Length; i++) Assert.AreEqual(fe[i], f[i], 1e-4 * scale, $"feature {i}");
            for (int i = 0; i < p.Length; i++) Assert.AreEqual(pe[i], p[i], 1e-5, $"probability {i}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void MissingClassifierFileIsNamed()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => new OnnxImageClassifier("/no/classifier.onnx"));
        StringAssert.Contains(e.Message, "/no/classifier.onnx");
    }
}
