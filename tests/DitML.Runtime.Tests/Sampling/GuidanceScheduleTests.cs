using System.Text.Json;
using DitML.Sampling;

namespace DitML.Runtime.Tests.Sampling;

/// <summary>Latent DiffiT's guidance: the power-cosine scale schedule and the 3-channel guidance, in every sampler.</summary>
[TestClass]
public sealed class GuidanceScheduleTests
{
    private static readonly double[] Means = [0.8, -0.6, 0.0];

    [TestMethod]
    public void PowerCosineEqualsTheNumpyReferenceAndTheFacts()
    {
        // guidance_schedule.json: numpy float64 from the facts' formula (make_guidance_fixture.py).
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture.Path("diffit", "guidance_schedule.json")));
        var schedule = GuidanceSchedule.PowerCosine();
        int checkedValues = 0;
        foreach (var row in doc.RootElement.GetProperty("rows").EnumerateArray())
        {
            double s = row.GetProperty("scale").GetDouble();
            var t = row.GetProperty("t").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var expected = row.GetProperty("s_t").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int i = 0; i < t.Length; i++, checkedValues++)
                Assert.AreEqual(expected[i], schedule.ScaleAt(s, t[i], 1000), 1e-12, $"s = {s}, t = {t[i]}");
        }
        Assert.AreEqual(18, checkedValues);

        // The facts' anchors for s = 4.4: no guidance at the noisiest step, half way at t = 159, s at t = 0.
        Assert.AreEqual(1.0, schedule.ScaleAt(4.4, 999, 1000), 1e-9);
        Assert.AreEqual(1 + 0.0098 * 3.4, schedule.ScaleAt(4.4, 499, 1000), 0.0002 * 3.4);
        Assert.AreEqual(1 + 0.5 * 3.4, schedule.ScaleAt(4.4, 159, 1000), 0.001 * 3.4);
        Assert.AreEqual(4.4, schedule.ScaleAt(4.4, 0, 1000));
        Assert.AreEqual(4.4, GuidanceSchedule.Constant.ScaleAt(4.4, 999, 1000), "constant (512 px)");
    }

    [TestMethod]
    public void TheReleasesScheduleAndScaleFollowTheLatentSize()
    {
        Assert.AreEqual(GuidanceScheduleKind.PowerCosine, LatentDiffiTGuidance.ScheduleFor(32).Kind);
        Assert.AreEqual(4.0, LatentDiffiTGuidance.ScheduleFor(32).Power);
        Assert.AreEqual(GuidanceScheduleKind.Constant, LatentDiffiTGuidance.ScheduleFor(64).Kind);
        Assert.AreEqual(4.4, LatentDiffiTGuidance.ScaleFor(32));
        Assert.AreEqual(1.49, LatentDiffiTGuidance.ScaleFor(64));
        Assert.AreEqual(GuidanceSchedule.PowerCosine(2), GuidanceSchedule.Parse("power-cosine", "2"));
        Assert.AreEqual(GuidanceSchedule.Constant, GuidanceSchedule.Parse(GuidanceSchedule.Constant.KindText));
        Assert.ThrowsExactly<ArgumentException>(() => GuidanceSchedule.Parse("cosine"));
        Assert.ThrowsExactly<ArgumentException>(() => new SamplerOptions { GuidanceSchedule = new GuidanceSchedule { Kind = GuidanceScheduleKind.PowerCosine, Power = 0 } }.Validate());
    }

    [TestMethod]
    [DataRow(159.0)]
    [DataRow(499.0)]
    [DataRow(998.0)]
    public void ThreeChannelGuidanceAppliesTheScheduledScaleToChannelsZeroToTwoOnly(double t)
    {
        // 4 channels of 2×2: channels 0–2 get ε_u + s(t)·(ε_c − ε_u); channel 3 and the variance are the conditional row's.
        var oracle = new GaussianOracle(Means, 0.5, learnSigma: true);
        var x = new float[16];
        new RowNoise(9).Fill(x);
        var diffit = new SamplerOptions { GuidanceScale = 4.4, GuideFirstThreeChannels = true, GuidanceSchedule = GuidanceSchedule.PowerCosine() };
        var (guided, v) = SamplerTests.Evaluate(oracle, diffit, x, t);
        var (cond, _) = SamplerTests.Evaluate(oracle, new SamplerOptions { GuidanceScale = 1 }, x, t);
        var (uncond, _) = SamplerTests.Evaluate(new GaussianOracle([0.0, 0.0, 0.0], 0.5), new SamplerOptions { GuidanceScale = 1 }, x, t);
        double s = 1 + 3.4 * 0.5 * (1 - Math.Cos(Math.PI * Math.Pow(1 - t / 1000, 4)));
        for (int k = 0; k < 16; k++)
        {
            float expected = k < 12 ? (float)(uncond[k] + s * (cond[k] - uncond[k])) : cond[k];
            Assert.AreEqual(expected, guided[k], 1e-5, $"t = {t}, channel {k / 4}");
            Assert.AreEqual(-1f, v[k], "variance output is the conditional row's");
        }
        if (s > 1.01) Assert.AreNotEqual(cond[0], guided[0], 1e-6, "channel 0 is guided");
        else Assert.AreEqual(cond[0], guided[0], 1e-5, "near t = 1000 the ramp leaves the conditional prediction");
    }

    [TestMethod]
    [DataRow(SamplerKind.Ddpm)]
    [DataRow(SamplerKind.Ddim)]
    [DataRow(SamplerKind.DpmSolverPlusPlus)]
    [DataRow(SamplerKind.Heun)]
    public void EverySamplerAppliesTheSchedule(SamplerKind kind)
    {
        // Power-cosine at scale s lies between no guidance and constant s at every step but t = 0, so its samples
        // differ from both; at s = 1 every schedule is no guidance.
        var oracle = new GaussianOracle(Means, 0.5);
        long[] labels = [0, 1], seeds = [3, 4];
        float[] Sample(double scale, GuidanceSchedule? schedule) => DiffusionSampler.Create(new SamplerOptions
        {
            Sampler = kind, Steps = 10, GuidanceScale = scale, GuidanceSchedule = schedule, GuideFirstThreeChannels = true,
        }).Sample(oracle, labels, seeds);
        var ramp = Sample(4.4, GuidanceSchedule.PowerCosine());
        var constant = Sample(4.4, null);
        var none = Sample(1, null);
        CollectionAssert.AreNotEqual(constant, ramp);
        CollectionAssert.AreNotEqual(none, ramp);
        CollectionAssert.AreEqual(none, Sample(1, GuidanceSchedule.PowerCosine()));
        double Distance(float[] a, float[] b) => a.Zip(b, (p, q) => Math.Abs(p - q)).Sum();
        Assert.IsLessThan(Distance(none, constant), Distance(none, ramp), "weaker guidance than the constant scale");
    }
}
