using System.Runtime.InteropServices;
using System.Text.Json;
using DitML.Metrics;

namespace DitML.Runtime.Tests.Metrics;

[TestClass]
public sealed class GenerativeMetricsTests
{
    private static float[] Floats(string name) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Fixture.Path("metrics", name))).ToArray();

    private static JsonElement Reference() => JsonDocument.Parse(File.ReadAllText(Fixture.Path("metrics", "is_pr.json"))).RootElement;

    [TestMethod]
    public void InceptionScoreMatchesNumpy()
    {
        var (mean, std) = GenerativeMetrics.InceptionScore(Floats("probs.f32"), classes: 7);
        Assert.AreEqual(Reference().GetProperty("is_mean").GetDouble(), mean, 1e-5);
        Assert.AreEqual(Reference().GetProperty("is_std").GetDouble(), std, 1e-5);
    }

    [TestMethod]
    public void InceptionScoreClosedForms()
    {
        var uniform = Enumerable.Repeat(0.25f, 40 * 4).ToArray();
        Assert.AreEqual(1.0, GenerativeMetrics.InceptionScore(uniform, 4).Mean, 1e-9, "uniform p(y|x): IS = 1");
        var oneHot = new float[40 * 4];
        for (int i = 0; i < 40; i++) oneHot[i * 4 + i % 4] = 1;
        Assert.AreEqual(4.0, GenerativeMetrics.InceptionScore(oneHot, 4).Mean, 1e-9, "confident and balanced: IS = K");
    }

    [TestMethod]
    public void PrecisionRecallMatchesNumpy()
    {
        var (precision, recall) = GenerativeMetrics.PrecisionRecall(Floats("pr_real.f32"), Floats("pr_fake.f32"), dimension: 5);
        Assert.AreEqual(Reference().GetProperty("precision").GetDouble(), precision, 1e-12);
        Assert.AreEqual(Reference().GetProperty("recall").GetDouble(), recall, 1e-12);
    }

    [TestMethod]
    public void PrecisionRecallExtremes()
    {
        var real = Floats("pr_real.f32");
        Assert.AreEqual((1.0, 1.0), GenerativeMetrics.PrecisionRecall(real, real, 5), "identical sets");
        var far = real.Select(v => v + 1000f).ToArray();
        Assert.AreEqual((0.0, 0.0), GenerativeMetrics.PrecisionRecall(real, far, 5), "disjoint sets");
    }

    [TestMethod]
    public void ClassAccuracyCountsArgmaxHits()
    {
        float[] p = [0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f];
        Assert.AreEqual(2 / 3.0, GenerativeMetrics.ClassAccuracy(p, [0, 1, 1], 2), 1e-12);
    }

    [TestMethod]
    public void StatisticsFileRoundTripsInPytorchFidLayout()
    {
        string path = System.IO.Path.GetTempFileName() + ".npz";
        try
        {
            double[] mu = [1, 2, 3];
            double[] sigma = [1, 0.5, 0, 0.5, 2, 0.1, 0, 0.1, 3];
            StatisticsFile.Save(path, mu, sigma);
            var (m, s) = StatisticsFile.Load(path);
            CollectionAssert.AreEqual(mu, m);
            CollectionAssert.AreEqual(sigma, s);
            const string script = "import numpy as np, sys; f = np.load(sys.argv[1]); print(f['mu'].dtype, f['sigma'].shape, f['sigma'][1, 2])";
            Assert.AreEqual("float64 (3, 3) 0.1", Fixture.RunPython(script, "numpy", path).Trim());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
