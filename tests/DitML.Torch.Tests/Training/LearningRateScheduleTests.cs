using System.Text.Json;
using DitML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Training;

[TestClass]
public sealed class LearningRateScheduleTests
{
    private static JsonElement Fixture(string name)
    {
        // lr_schedule.json: PyTorch 1.13's LinearLR / ConstantLR / CosineAnnealingLR (SequentialLR) with AdamW.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine("Fixtures", "training", "lr_schedule.json")));
        return doc.RootElement.Clone().GetProperty(name);
    }

    private static TrainerOptions OptionsOf(JsonElement c) => new()
    {
        Steps = 12,
        Optimizer = new AdamWOptions { LearningRate = 1e-2 },
        Schedule = new LearningRateSchedule
        {
            WarmupSteps = c.GetProperty("warmup").GetInt64(),
            Decay = Enum.Parse<LearningRateDecay>(c.GetProperty("decay").GetString()!, ignoreCase: true),
            DecayStartStep = c.GetProperty("decay_start").GetInt64(),
            FinalFraction = c.GetProperty("final").GetDouble(),
        },
    };

    [TestMethod]
    [DataRow("warmup_cosine")]
    [DataRow("linear")]
    public void RatesMatchPyTorchSchedulers(string name)
    {
        var c = Fixture(name);
        var options = OptionsOf(c).Validate();
        var expected = c.GetProperty("lrs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.HasCount(12, expected);
        for (int s = 0; s < expected.Length; s++)
            Assert.AreEqual(expected[s], options.LearningRateAt(s), 1e-12, $"{name}, step {s}");
    }

    [TestMethod]
    [DataRow("warmup_cosine")]
    [DataRow("linear")]
    public void AdamWUnderTheScheduleFollowsPyTorch(string name)
    {
        var c = Fixture(name);
        var options = OptionsOf(c);
        float[] Floats(JsonElement e) => e.EnumerateArray().Select(x => x.GetSingle()).ToArray();
        using var holder = new ParameterHolder(Floats(c.GetProperty("start")));
        using var opt = new AdamW(holder, options.Optimizer);
        var grads = c.GetProperty("grads").EnumerateArray().Select(Floats).ToArray();
        var trajectory = c.GetProperty("trajectory").EnumerateArray().Select(Floats).ToArray();
        for (int s = 0; s < grads.Length; s++)
        {
            holder.P.grad = tensor(grads[s]);
            opt.Update(options.LearningRateAt(s));
            var actual = holder.P.data<float>().ToArray();
            for (int j = 0; j < actual.Length; j++) Assert.AreEqual(trajectory[s][j], actual[j], 1e-6f, $"{name}, step {s + 1}, element {j}");
        }
    }

    [TestMethod]
    public void TheDefaultIsTheRecipesConstantRate()
    {
        var options = new TrainerOptions { Steps = 100, Optimizer = new AdamWOptions { LearningRate = 3e-4 } };
        Assert.AreEqual(3e-4, options.LearningRateAt(0));
        Assert.AreEqual(3e-4, options.LearningRateAt(99));
    }

    [TestMethod]
    public void ALateStartHoldsTheRateThenCoolsDownToTheTarget()
    {
        var schedule = new LearningRateSchedule { Decay = LearningRateDecay.Linear, DecayStartStep = 80, FinalFraction = 0.1 };
        Assert.AreEqual(1, schedule.FactorAt(79, 100));
        Assert.AreEqual(1, schedule.FactorAt(80, 100));
        Assert.AreEqual(1 - 0.9 * 10 / 20.0, schedule.FactorAt(90, 100), 1e-12);
        Assert.AreEqual(0.1, schedule.FactorAt(100, 100), 1e-12, "at the target the decay has reached the final fraction");
        Assert.AreEqual(1 - 0.9 * 10 / 120.0, schedule.FactorAt(90, 200), 1e-12, "a raised target stretches the decay");
    }

    [TestMethod]
    [DataRow(-1L, 0L, 0.0, "--lr-warmup")]
    [DataRow(0L, -5L, 0.0, "--lr-decay-start")]
    [DataRow(0L, 0L, 1.0, "--lr-final")]
    [DataRow(0L, 0L, double.NaN, "--lr-final")]
    public void BadSchedulesAreRefusedNamingTheOption(long warmup, long start, double final, string option)
    {
        var options = new TrainerOptions
        {
            Schedule = new LearningRateSchedule { WarmupSteps = warmup, Decay = LearningRateDecay.Cosine, DecayStartStep = start, FinalFraction = final },
        };
        var e = Assert.ThrowsExactly<ArgumentException>(() => options.Validate());
        StringAssert.Contains(e.Message, option);
    }

    [TestMethod]
    public void AnUpdateAtARateIsTheUpdateOfAnOptimizerSetToIt()
    {
        float[] start = [0.5f, -1f, 2f];
        using var a = new ParameterHolder(start);
        using var b = new ParameterHolder(start);
        using var scheduled = new AdamW(a, new AdamWOptions { LearningRate = 1e-3 });
        using var set = new AdamW(b, new AdamWOptions { LearningRate = 4e-3 });
        a.P.grad = tensor(new[] { 1f, 2f, 3f });
        b.P.grad = tensor(new[] { 1f, 2f, 3f });
        scheduled.Update(4e-3);
        set.Update();
        CollectionAssert.AreEqual(b.P.data<float>().ToArray(), a.P.data<float>().ToArray());
        CollectionAssert.AreNotEqual(start, a.P.data<float>().ToArray());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => scheduled.Update(double.NaN));
    }
}
