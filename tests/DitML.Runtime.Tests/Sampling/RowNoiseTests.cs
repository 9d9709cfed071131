using DitML.Sampling;

namespace DitML.Runtime.Tests.Sampling;

[TestClass]
public sealed class RowNoiseTests
{
    [TestMethod]
    public void StandardNormalMoments()
    {
        var noise = new RowNoise(42);
        var x = new float[200_000];
        noise.Fill(x);
        double mean = x.Average(v => (double)v), variance = x.Sum(v => (v - mean) * (v - mean)) / x.Length;
        double kurtosis = x.Sum(v => Math.Pow(v - mean, 4)) / x.Length / (variance * variance);
        Assert.AreEqual(0, mean, 0.01);           // 5σ of the sample mean is 0.011
        Assert.AreEqual(1, variance, 0.02);
        Assert.AreEqual(3, kurtosis, 0.1);
    }

    [TestMethod]
    public void StreamsDependOnlyOnTheSeed()
    {
        var a = new float[64];
        var b = new float[64];
        new RowNoise(7).Fill(a);
        new RowNoise(7).Fill(b);
        CollectionAssert.AreEqual(a, b);
        new RowNoise(8).Fill(b);
        CollectionAssert.AreNotEqual(a, b);
    }
}
