using DitML.Data;
using DitML.Generation;
using DitML.Metrics;
using DitML.Sampling;

namespace DitML.Runtime.Tests.Models;

/// <summary>
/// The files shipped in examples/models/fashion-mnist do what their model cards say: the classifier reaches 92% on the
/// Fashion-MNIST test set, and the DiT's samples (DPM-Solver++(2M), 20 steps, the model's default guidance) are labelled
/// with the requested class at least 85% of the time by that classifier.
/// </summary>
[TestClass]
public sealed class ShippedModelTests
{
    [TestMethod]
    public void TheClassifierReaches92PercentOnTheTestSet()
    {
        if (!Directory.Exists(FashionMnist.DefaultDirectory))
            Assert.Inconclusive($"Fashion-MNIST is not installed at {FashionMnist.DefaultDirectory} (Debian package dataset-fashion-mnist); skipped.");
        var test = FashionMnist.Load(IdxSplit.Test);
        using var classifier = new OnnxImageClassifier(Fixture.Shipped("classifier.onnx"));
        var (_, probabilities) = classifier.Run(test.ToFloatArray());
        var labels = Enumerable.Range(0, test.Count).Select(i => (long)test.GetLabel(i)).ToArray();
        double accuracy = GenerativeMetrics.ClassAccuracy(probabilities, labels, 10);
        Assert.IsGreaterThanOrEqualTo(0.92, accuracy, $"test accuracy {accuracy:P2}");
    }

    [TestMethod]
    public void TheShippedDiTNamesItsClasses()
    {
        using var denoiser = new DitML.Onnx.OnnxDenoiser(Fixture.Shipped("model.onnx"));
        CollectionAssert.AreEqual(FashionMnist.ClassNames.ToArray(), denoiser.Info.ClassNames!.ToArray());
        Assert.AreEqual(8, denoiser.Info.ClassId("Bag"));
        Assert.AreEqual(4, denoiser.Info.ClassId("coat"), "a unique case-insensitive match");
        var e = Assert.ThrowsExactly<ArgumentException>(() => denoiser.Info.ClassId("Hat"));
        StringAssert.Contains(e.Message, "T-shirt/top, Trouser");
    }

    [TestMethod]
    public void TheDiTDrawsWhatIsAskedFor85PercentOfTheTime()
    {
        const int perClass = 10;
        using var generator = DiffusionGenerator.Open(Fixture.Shipped("model.onnx"), new DiffusionGeneratorOptions
        {
            Sampler = new SamplerOptions { Sampler = SamplerKind.DpmSolverPlusPlus, Steps = 20 },
        });
        var labels = Enumerable.Range(0, 10 * perClass).Select(i => (long)(i / perClass)).ToArray();
        var seeds = Enumerable.Range(0, labels.Length).Select(i => 1000L + i).ToArray();
        var pixels = new float[labels.Length * generator.Channels * generator.Height * generator.Width];
        generator.Generate(labels, seeds, pixels);
        using var classifier = new OnnxImageClassifier(Fixture.Shipped("classifier.onnx"));
        var (_, probabilities) = classifier.Run(pixels);
        double accuracy = GenerativeMetrics.ClassAccuracy(probabilities, labels, 10);
        Assert.IsGreaterThanOrEqualTo(0.85, accuracy, $"class accuracy of {labels.Length} samples: {accuracy:P1}");
    }
}
