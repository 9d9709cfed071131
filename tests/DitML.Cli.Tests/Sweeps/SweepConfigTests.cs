using DitML.Cli.Sweeps;

namespace DitML.Cli.Tests.Sweeps;

[TestClass]
public sealed class SweepConfigTests
{
    internal const string Valid = """
        {
          "data": "fashion-mnist", "strategy": "halving", "seed": 7, "eta": 2,
          "budget": { "steps": 200 }, "metric": "fid", "samples_per_class": 4,
          "space": { "depth": [4], "hidden_size": [64, 128], "heads": [4], "patch": [4, 7],
                     "lr": [0.0001, 0.0003], "batch": [32], "guidance": [1.5, 3], "sampler": ["dpm++", "ddim"], "sampling_steps": [10, 20] }
        }
        """;

    [TestMethod]
    public void ParsesEverySetting()
    {
        var c = SweepConfig.Parse(Valid);
        Assert.AreEqual(SweepStrategy.Halving, c.StrategyKind);
        Assert.AreEqual(SweepMetric.Fid, c.MetricKind);
        Assert.AreEqual(7, c.Seed);
        Assert.AreEqual(2, c.Eta);
        Assert.AreEqual(200L, c.Budget!.Steps);
        Assert.IsNull(c.Budget.Minutes);
        Assert.AreEqual(4, c.SamplesPerClass);
        Assert.AreEqual(SweepConfig.DefaultClassifier, c.Classifier);
        Assert.AreEqual(SweepConfig.DefaultStatistics, c.Statistics);
        CollectionAssert.AreEqual(new[] { 64, 128 }, c.Space!.HiddenSize!.ToArray());
        CollectionAssert.AreEqual(new[] { "dpm++", "ddim" }, c.Space.Sampler!.ToArray());
        CollectionAssert.AreEqual(new[] { 10, 20 }, c.Space.SamplingSteps!.ToArray());
    }

    [TestMethod]
    public void FillsDefaultsAndReadsMinuteBudgets()
    {
        var c = SweepConfig.Parse("""{ "budget": { "minutes": 1.5 }, "space": { "depth": [1], "hidden_size": [16], "heads": [2], "patch": [4] } }""");
        Assert.AreEqual(SweepStrategy.Grid, c.StrategyKind);
        Assert.AreEqual(SweepMetric.ClassAccuracy, c.MetricKind);
        Assert.AreEqual(3, c.Eta);
        Assert.AreEqual(10, c.SamplesPerClass);
        Assert.IsTrue(c.Budget!.IsMinutes);
        Assert.AreEqual(1.5 * 3, c.Budget.Times(3).Minutes!.Value, 1e-12);
        var s = c.ResolvedSpace;
        CollectionAssert.AreEqual(new[] { 1e-4 }, s.Lr!.ToArray());
        CollectionAssert.AreEqual(new[] { "dpm++" }, s.Sampler!.ToArray());
    }

    [TestMethod]
    [DataRow("\"strategy\": \"bayes\"", "strategy")]
    [DataRow("\"metric\": \"inception\"", "metric")]
    [DataRow("\"space\": { \"depth\": [1], \"hidden_size\": [16], \"heads\": [2], \"patch\": [4], \"sampler\": [\"euler\"] }", "space.sampler")]
    [DataRow("\"space\": { \"depth\": [1], \"hidden_size\": [16, 24], \"heads\": [3], \"patch\": [4] }", "space.heads")]
    [DataRow("\"space\": {}", "space")]
    [DataRow("\"space\": { \"depth\": [], \"hidden_size\": [16], \"heads\": [2], \"patch\": [4] }", "space.depth")]
    [DataRow("\"space\": { \"depth\": [1], \"hidden_size\": [16], \"heads\": [2] }", "space.patch")]
    [DataRow("\"budget\": { \"steps\": 0 }", "budget.steps")]
    [DataRow("\"budget\": {}", "budget")]
    [DataRow("\"strategy\": \"random\"", "trials")]
    [DataRow("\"eta\": 1", "eta")]
    [DataRow("\"samples_per_class\": 0", "samples_per_class")]
    public void RejectsABadSettingByName(string setting, string name)
    {
        string json = "{ \"budget\": { \"steps\": 5 }, \"space\": { \"depth\": [1], \"hidden_size\": [16], \"heads\": [2], \"patch\": [4] }, " + setting + " }";
        // Later duplicates of a key win in System.Text.Json, so the bad setting overrides the valid one.
        var e = Assert.ThrowsExactly<ArgumentException>(() => SweepConfig.Parse(json));
        StringAssert.Contains(e.Message, name);
    }

    [TestMethod]
    public void RejectsAPatchThatDoesNotDivideTheImage()
    {
        var c = SweepConfig.Parse("""{ "budget": { "steps": 5 }, "space": { "depth": [1], "hidden_size": [16], "heads": [2], "patch": [4, 7] } }""");
        c.ValidateFor(28);
        var e = Assert.ThrowsExactly<ArgumentException>(() => c.ValidateFor(32));
        StringAssert.Contains(e.Message, "space.patch");
        StringAssert.Contains(e.Message, "7");
    }

    [TestMethod]
    public void RejectsUnknownKeysAndBadJson()
    {
        Assert.ThrowsExactly<ArgumentException>(() => SweepConfig.Parse("""{ "budget": { "steps": 5 }, "spaec": {} }"""));
        Assert.ThrowsExactly<ArgumentException>(() => SweepConfig.Parse("{ not json"));
    }

    [TestMethod]
    public void TheCliReportsABadConfigWithExitCode2()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{ "strategy": "bayes", "budget": { "steps": 5 }, "space": { "depth": [1], "hidden_size": [16], "heads": [2], "patch": [4] } }""");
            var (code, _, error) = CliRunner.Run("sweep", "--config", file, "--out", Path.Combine(Path.GetTempPath(), "never-sweep"));
            Assert.AreEqual(2, code, error);
            StringAssert.Contains(error, "strategy");
            StringAssert.Contains(error, "bayes");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void TheShippedScalingStudyParses()
    {
        string root = SweepEndToEndTests.RepositoryRoot();
        // The committed configs are the ones examples/sweeps/README.md reports results for.
        var c = SweepConfig.Load(Path.Combine(root, "examples", "sweeps", "fashion-mnist-scaling.json"));
        Assert.AreEqual(SweepStrategy.Grid, c.StrategyKind);
        Assert.AreEqual(SweepMetric.ClassAccuracy, c.MetricKind);
        Assert.AreEqual(1500L, c.Budget!.Steps);
        Assert.AreEqual(6, SweepPlanner.Trials(c).Count);
        c.ValidateFor(28);
        var mini = SweepConfig.Load(Path.Combine(root, "examples", "sweeps", "fashion-mnist-scaling-mini.json"));
        Assert.AreEqual(SweepStrategy.Halving, mini.StrategyKind);
        Assert.AreEqual(6, SweepPlanner.Trials(mini).Count);
        mini.ValidateFor(28);
    }
}
