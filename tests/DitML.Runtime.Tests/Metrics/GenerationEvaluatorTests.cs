using System.Runtime.InteropServices;
using System.Text.Json;
using DitML.Metrics;

namespace DitML.Runtime.Tests.Metrics;

[TestClass]
public sealed class GenerationEvaluatorTests
{
    private static float[] Floats(string name) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Fixture.Path("metrics", name))).ToArray();

    private static JsonElement Json(string name) => JsonDocument.Parse(File.ReadAllText(Fixture.Path("metrics", name))).RootElement;

    [TestMethod]
    public void FidAgainstReferenceFeaturesMatchesScipy()
    {
        var fid = Json("fid.json");
        int d = fid.GetProperty("d").GetInt32();
        var metrics = new GenerationEvaluator().Evaluate(new ImageFeatures(Floats("features_b.f32"), d), new ImageFeatures(Floats("features_a.f32"), d));
        Assert.AreEqual(fid.GetProperty("fid").GetDouble(), metrics.Fid, 1e-6);
        Assert.AreEqual(fid.GetProperty("n").GetInt32(), metrics.SampleCount);
        Assert.IsFalse(metrics.IsRankDeficient, "300 samples of 64 dimensions");
        Assert.IsNull(metrics.InceptionScore, "no probabilities, no Inception Score");
        Assert.IsNull(metrics.ClassAccuracy);
    }

    [TestMethod]
    public void FidAgainstStatisticsEqualsFidAgainstTheirFeatures()
    {
        int d = Json("fid.json").GetProperty("d").GetInt32();
        var real = new ImageFeatures(Floats("features_a.f32"), d);
        var fake = new ImageFeatures(Floats("features_b.f32"), d);
        var (mu, sigma) = FeatureStatistics.Of(real.Features, d);
        var evaluator = new GenerationEvaluator();
        var fromStatistics = evaluator.Evaluate(fake, mu, sigma);
        Assert.AreEqual(evaluator.Evaluate(fake, real).Fid, fromStatistics.Fid, 1e-9);
        Assert.IsNull(fromStatistics.Precision, "statistics carry no features: no precision/recall");
    }

    [TestMethod]
    public void PrecisionRecallAndInceptionScoreMatchNumpy()
    {
        var reference = Json("is_pr.json");
        var real = new ImageFeatures(Floats("pr_real.f32"), 5);
        var fake = new ImageFeatures(Floats("pr_fake.f32"), 5);
        var metrics = new GenerationEvaluator().Evaluate(fake, real);
        Assert.AreEqual(reference.GetProperty("precision").GetDouble(), metrics.Precision!.Value, 1e-12);
        Assert.AreEqual(reference.GetProperty("recall").GetDouble(), metrics.Recall!.Value, 1e-12);

        var probabilities = Floats("probs.f32");                 // 7 classes; rows paired with features of the same count
        int rows = probabilities.Length / 7;
        var features = Enumerable.Range(0, rows * 2).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
        var labels = Enumerable.Range(0, rows).Select(i => (long)(i % 7)).ToArray();
        var scored = new GenerationEvaluator().Evaluate(new ImageFeatures(features, 2, probabilities, 7, labels), new ImageFeatures(features, 2));
        Assert.AreEqual(reference.GetProperty("is_mean").GetDouble(), scored.InceptionScore!.Value, 1e-5);
        Assert.AreEqual(reference.GetProperty("is_std").GetDouble(), scored.InceptionScoreStd!.Value, 1e-5);
        Assert.AreEqual(GenerativeMetrics.ClassAccuracy(probabilities, labels, 7), scored.ClassAccuracy!.Value, 1e-12);
        Assert.AreEqual(0, scored.Fid, 1e-9, "a set against itself");
    }

    [TestMethod]
    public void InputsThatDoNotFitAreRefusedWithTheirSizes()
    {
        var evaluator = new GenerationEvaluator();
        var four = new ImageFeatures([1, 2, 3, 4, 5, 6, 7, 8], 4);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => evaluator.Evaluate(four, new ImageFeatures([1, 2, 3, 4, 5, 6], 3)));
        StringAssert.Contains(ex.Message, "3 features per row");
        ex = Assert.ThrowsExactly<ArgumentException>(() => evaluator.Evaluate(new ImageFeatures([1, 2, 3, 4], 4), four));
        StringAssert.Contains(ex.Message, "at least 2 rows");
        ex = Assert.ThrowsExactly<ArgumentException>(() => evaluator.Evaluate(new ImageFeatures([1, 2, 3, 4, 5, 6, 7, 8], 4, [0.5f, 0.5f], 2), four));
        StringAssert.Contains(ex.Message, "do not fit 2 rows of 2 classes");
        ex = Assert.ThrowsExactly<ArgumentException>(() => evaluator.Evaluate(four, [0, 0], [1, 0, 0, 1]));
        StringAssert.Contains(ex.Message, "2-dimensional");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new GenerationEvaluator(new GenerationEvaluatorOptions { InceptionScoreSplits = 0 }));
    }
}
