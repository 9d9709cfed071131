using DitML.Metrics;
using DitML.ML.Tests.Generation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Tests.Metrics;

[TestClass]
public sealed class GenerationEvaluationTests
{
    private const int Size = 784;

    private sealed class ImageRow
    {
        [VectorType(1, 28, 28)] public float[] Pixels { get; set; } = [];
        public long Label { get; set; }
    }

    private sealed class FeatureRow
    {
        [VectorType(256)] public float[] Features { get; set; } = [];
        [VectorType(10)] public float[] Probabilities { get; set; } = [];
    }

    private sealed class Request
    {
        public long Label { get; set; }
        public long Seed { get; set; }
    }

    private static ImageRow[] RandomImages(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i => new ImageRow
        {
            Label = i % 10,
            // Smooth blobs whose brightness depends on the label, so the classifier's outputs vary between rows.
            Pixels = Enumerable.Range(0, Size).Select(p => (float)Math.Tanh(Math.Sin(p * 0.05 * (1 + i % 10)) + 0.5 * (random.NextDouble() - 0.5))).ToArray(),
        }).ToArray();
    }

    [TestMethod]
    public void FeaturesEqualTheClassifierRunDirectlyAndSurviveSaveLoad()
    {
        using var classifier = new ExportedClassifier();
        var ml = new MLContext(seed: 0);
        var rows = RandomImages(12, 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ExtractImageFeatures(classifier.Path).Fit(data);
        var fromPipeline = ml.Data.CreateEnumerable<FeatureRow>(model.Transform(data), reuseRowObject: false).ToList();

        using var direct = new OnnxImageClassifier(classifier.Path);
        var (features, probabilities) = direct.Run(rows.SelectMany(r => r.Pixels).ToArray());
        for (int i = 0; i < rows.Length; i++)
        {
            CollectionAssert.AreEqual(features.AsSpan(i * 256, 256).ToArray(), fromPipeline[i].Features, $"features of row {i}");
            CollectionAssert.AreEqual(probabilities.AsSpan(i * 10, 10).ToArray(), fromPipeline[i].Probabilities, $"probabilities of row {i}");
        }
        Assert.IsNull(model.Transform(data).Schema.GetColumnOrNull("features"), "the ONNX-named temporaries are dropped");

        string saved = Path.Combine(classifier.Directory, "pipeline.zip");
        ml.Model.Save(model, data.Schema, saved);
        var loaded = new MLContext().Model.Load(saved, out _);
        var again = ml.Data.CreateEnumerable<FeatureRow>(loaded.Transform(data), reuseRowObject: false).ToList();
        for (int i = 0; i < rows.Length; i++) CollectionAssert.AreEqual(fromPipeline[i].Features, again[i].Features);
    }

    [TestMethod]
    public void EvaluateAgreesWithTheRuntimeMetricsOnTheSameFeatures()
    {
        using var classifier = new ExportedClassifier();
        var ml = new MLContext(seed: 0);
        var extract = ml.Transforms.ExtractImageFeatures(classifier.Path);
        var realRows = RandomImages(40, 2);
        var fakeRows = RandomImages(30, 3);
        var real = extract.Fit(ml.Data.LoadFromEnumerable(realRows)).Transform(ml.Data.LoadFromEnumerable(realRows));
        var fake = extract.Fit(ml.Data.LoadFromEnumerable(fakeRows)).Transform(ml.Data.LoadFromEnumerable(fakeRows));

        var metrics = ml.Generation().Evaluate(fake, real);

        using var direct = new OnnxImageClassifier(classifier.Path);
        var (rf, _) = direct.Run(realRows.SelectMany(r => r.Pixels).ToArray());
        var (ff, fp) = direct.Run(fakeRows.SelectMany(r => r.Pixels).ToArray());
        var (mu1, s1) = Stats(rf);
        var (mu2, s2) = Stats(ff);
        Assert.AreEqual(FrechetDistance.Compute(mu1, s1, mu2, s2), metrics.Fid, 1e-9 * Math.Max(1, metrics.Fid));
        var (precision, recall) = GenerativeMetrics.PrecisionRecall(rf, ff, 256);
        Assert.AreEqual(precision, metrics.Precision);
        Assert.AreEqual(recall, metrics.Recall);
        Assert.AreEqual(GenerativeMetrics.ClassAccuracy(fp, fakeRows.Select(r => r.Label).ToArray(), 10), metrics.ClassAccuracy);
        Assert.AreEqual(GenerativeMetrics.InceptionScore(fp, 10, 10).Mean, metrics.InceptionScore!.Value, 1e-12);
        Assert.AreEqual(30, metrics.SampleCount);
        Assert.IsTrue(metrics.IsRankDeficient, "30 samples of 256 features");
        StringAssert.Contains(metrics.ToString(), "rank-deficient");

        // Against statistics saved from the same reference: the same FID, no precision/recall (no reference features).
        string stats = Path.Combine(classifier.Directory, "real.npz");
        StatisticsFile.Save(stats, mu1, s1);
        var fromStats = ml.Generation().Evaluate(fake, stats);
        Assert.AreEqual(metrics.Fid, fromStats.Fid, 1e-9 * Math.Max(1, metrics.Fid));
        Assert.IsNull(fromStats.Precision);
        Assert.AreEqual(0, ml.Generation().Evaluate(real, real).Fid, 1e-6, "a set against itself");
    }

    private static (double[] Mean, double[] Covariance) Stats(float[] features)
    {
        var stats = new FeatureStatistics(256);
        stats.Add(features);
        return stats.Compute();
    }

    [TestMethod]
    public void BadInputsAreRefusedWithTheirNames()
    {
        using var classifier = new ExportedClassifier();
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(RandomImages(4, 4));
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Generation().Evaluate(data, data));
        StringAssert.Contains(e.Message, "'Features' not found");
        var f = Assert.ThrowsExactly<FileNotFoundException>(() => ml.Generation().Evaluate(data, Path.Combine(classifier.Directory, "missing.npz")));
        StringAssert.Contains(f.Message, "missing.npz");
        var g = Assert.ThrowsExactly<FileNotFoundException>(() => ml.Transforms.ExtractImageFeatures(Path.Combine(classifier.Directory, "nope.onnx")));
        StringAssert.Contains(g.Message, "nope.onnx");
        var features = ml.Transforms.ExtractImageFeatures(classifier.Path).Fit(data).Transform(data);
        string stats = Path.Combine(classifier.Directory, "small.npz");
        StatisticsFile.Save(stats, new double[3], new double[9]);
        var h = Assert.ThrowsExactly<ArgumentException>(() => ml.Generation().Evaluate(features, stats));
        StringAssert.Contains(h.Message, "3-dimensional");
    }

    [TestMethod]
    public void ColumnNamesComeOutputsFirstAsInMLNet()
    {
        using var classifier = new ExportedClassifier();
        var ml = new MLContext(seed: 0);
        var rows = RandomImages(4, 2);
        var data = ml.Data.LoadFromEnumerable(rows);
        var renamed = ml.Transforms.CopyColumns("Sample", "Pixels").Fit(data).Transform(data);
        var schema = ml.Transforms.ExtractImageFeatures("Embedding", "ClassScores", "Sample", classifier.Path).Fit(renamed).Transform(renamed).Schema;
        Assert.AreEqual(256, ((VectorDataViewType)schema["Embedding"].Type).Size);
        Assert.AreEqual(10, ((VectorDataViewType)schema["ClassScores"].Type).Size);
        Assert.IsNull(schema.GetColumnOrNull("Features"));
    }

    [TestMethod]
    public void ScoresDiffusionGenerateOutputInOnePipeline()
    {
        using var dit = new ExportedModel(inputSize: 28);
        using var classifier = new ExportedClassifier();
        var ml = new MLContext(seed: 0);
        var requests = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 12).Select(i => new Request { Label = i % 5, Seed = i }));
        var pipeline = ml.Transforms.DiffusionGenerate(dit.Path, new DitML.Generation.DiffusionGeneratorOptions { Sampler = new DitML.Sampling.SamplerOptions { Steps = 2 } })
            .Append(ml.Transforms.ExtractImageFeatures(classifier.Path));
        var scored = pipeline.Fit(requests).Transform(requests);
        var metrics = ml.Generation().Evaluate(scored, scored);
        Assert.AreEqual(12, metrics.SampleCount);
        Assert.AreEqual(0, metrics.Fid, 1e-6);
        Assert.IsNotNull(metrics.ClassAccuracy);
        Assert.IsTrue(metrics.ClassAccuracy is >= 0 and <= 1);
    }
}
