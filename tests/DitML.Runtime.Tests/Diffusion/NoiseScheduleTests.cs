using DitML.Diffusion;

namespace DitML.Runtime.Tests.Diffusion;

[TestClass]
public sealed class NoiseScheduleTests
{
    [TestMethod]
    public void LinearScheduleMatchesDitFacts()
    {
        var s = NoiseSchedule.Linear();
        Assert.AreEqual(1000, s.Steps);
        Assert.AreEqual(1e-4, s.Betas[0], 1e-18);
        Assert.AreEqual(0.02, s.Betas[999], 1e-18);
        Assert.AreEqual(4.0358e-5, s.AlphasCumprod[999], 1e-9);        // dit-facts.md: ᾱ_999 ≈ 4.0358e-5
    }

    [TestMethod]
    public void OtherStepCountsScaleTheBetas()
    {
        var s = NoiseSchedule.Linear(500);
        Assert.AreEqual(2e-4, s.Betas[0], 1e-18);
        Assert.AreEqual(0.04, s.Betas[499], 1e-17);
    }

    [TestMethod]
    public void PosteriorCoefficientsFollowTheirFormulas()
    {
        var s = NoiseSchedule.Linear();
        foreach (int t in new[] { 1, 2, 10, 500, 999 })
        {
            double beta = 0.0001 + (0.02 - 0.0001) * t / 999.0;
            double ac = 1, acPrev = 1;
            for (int k = 0; k <= t; k++)
            {
                acPrev = ac;
                ac *= 1 - (0.0001 + (0.02 - 0.0001) * k / 999.0);
            }
            Assert.AreEqual(ac, s.AlphasCumprod[t], 1e-12 * ac);
            Assert.AreEqual(beta * (1 - acPrev) / (1 - ac), s.PosteriorVariance[t], 1e-12);
            Assert.AreEqual(beta * Math.Sqrt(acPrev) / (1 - ac), s.PosteriorMeanCoef1[t], 1e-10);
            Assert.AreEqual((1 - acPrev) * Math.Sqrt(1 - beta) / (1 - ac), s.PosteriorMeanCoef2[t], 1e-10);
            Assert.AreEqual(Math.Log(s.PosteriorVariance[t]), s.PosteriorLogVarianceClipped[t], 1e-12);
        }
        Assert.AreEqual(0, s.PosteriorVariance[0]);
        Assert.AreEqual(s.PosteriorLogVarianceClipped[1], s.PosteriorLogVarianceClipped[0], "log variance clipped at 0");
    }

    [TestMethod]
    public void RespacingKeepsTheKeptStepsAlphas()
    {
        var s = NoiseSchedule.Linear();
        var kept = TimestepSpacing.Parse(1000, "25");
        var r = s.Respace(kept);
        for (int i = 0; i < kept.Length; i++) Assert.AreEqual(s.AlphasCumprod[kept[i]], r.AlphasCumprod[i], 1e-12);
        Assert.AreEqual(1 - s.AlphasCumprod[kept[3]] / s.AlphasCumprod[kept[2]], r.Betas[3], 1e-15);
    }

    [TestMethod]
    public void FractionalTimestepInvertsAlphaCumprod()
    {
        var s = NoiseSchedule.Linear();
        Assert.AreEqual(417, s.TimestepOf(s.AlphasCumprod[417]), 1e-9);
        double mid = Math.Exp(0.25 * Math.Log(s.AlphasCumprod[10]) + 0.75 * Math.Log(s.AlphasCumprod[11]));
        Assert.AreEqual(10.75, s.TimestepOf(mid), 1e-9);
    }
}
