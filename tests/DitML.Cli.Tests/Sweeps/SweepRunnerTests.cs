using DitML.Cli.Sweeps;

namespace DitML.Cli.Tests.Sweeps;

[TestClass]
public sealed class SweepRunnerTests
{
    /// <summary>Scores a trial by its grid index (higher index: better accuracy and lower FID); records the budgets.</summary>
    private sealed class FakeBackend(Func<int, bool>? cancelAfter = null, CancellationTokenSource? source = null, bool flatAccuracy = false) : ISweepBackend
    {
        public List<(int Index, double Budget)> Trained { get; } = [];
        public List<(int Index, int Rung)> Evaluated { get; } = [];

        public long Train(SweepTrial trial, string directory, SweepBudget total, CancellationToken cancellation)
        {
            Trained.Add((trial.Index, total.Amount));
            File.WriteAllText(Path.Combine(directory, "trained.txt"), total.ToString());
            if (cancelAfter?.Invoke(Trained.Count) == true) source!.Cancel();
            return (long)total.Amount;
        }

        public SweepRungResult Evaluate(SweepTrial trial, string directory, int rung, long steps, IReadOnlyList<SweepSampling> sampling)
        {
            Evaluated.Add((trial.Index, rung));
            return new SweepRungResult(trial, rung, steps, 0.01 * trial.HiddenSize, 1000, sampling
                .Select(s => new SweepEvaluation(s, flatAccuracy ? 0.1 : trial.Index / 100.0 + s.Steps / 1000.0, 100 - trial.Index - s.Steps / 100.0, 0.1)).ToArray());
        }
    }

    private static SweepConfig Config(string strategy, string metric = "class-accuracy", int? trials = null, int? rungs = null) => new SweepConfig
    {
        Strategy = strategy,
        Metric = metric,
        Trials = trials,
        Rungs = rungs,
        Eta = 3,
        Budget = new SweepBudget { Steps = 10 },
        Space = new SweepSpace { Depth = [1, 2, 3], HiddenSize = [16, 32, 64], Heads = [2], Patch = [2], SamplingSteps = [5, 10] },
    }.Validate();

    private static string TempDir() => Directory.CreateTempSubdirectory("ditml-sweep-runner-").FullName;

    [TestMethod]
    public void SuccessiveHalvingKeepsTheBestThirdAndTriplesTheBudget()
    {
        string dir = TempDir();
        try
        {
            var backend = new FakeBackend();
            var runner = new SweepRunner(Config("halving"), backend, dir, TextWriter.Null);
            var results = runner.Run();
            Assert.AreEqual(3, runner.Rungs.Count);
            CollectionAssert.AreEqual(Enumerable.Range(0, 9).ToArray(), runner.Rungs[0].Select(t => t.Index).ToArray());
            CollectionAssert.AreEqual(new[] { 8, 7, 6 }, runner.Rungs[1].Select(t => t.Index).ToArray(), "best three by class accuracy");
            CollectionAssert.AreEqual(new[] { 8 }, runner.Rungs[2].Select(t => t.Index).ToArray());
            // Budgets are cumulative: 10, then 10 + 30, then 10 + 30 + 90.
            CollectionAssert.AreEqual(new[] { 10.0, 40.0, 130.0 }, backend.Trained.Where(t => t.Index == 8).Select(t => t.Budget).ToArray());
            CollectionAssert.AreEqual(new[] { 10.0, 40.0 }, backend.Trained.Where(t => t.Index == 6).Select(t => t.Budget).ToArray());
            Assert.AreEqual(9 + 3 + 1, backend.Trained.Count);
            Assert.AreEqual(13, results.Count);
            foreach (var trial in runner.Rungs[0])
                Assert.IsTrue(File.Exists(Path.Combine(runner.TrialDirectory(trial), SweepRunner.ResultFileName)), $"{trial.Id} finished");
            Assert.IsTrue(File.Exists(Path.Combine(runner.TrialDirectory(runner.Rungs[2][0]), SweepRunner.RungFileName(2))));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void HalvingOnFidKeepsTheLowestAndStopsWhenTheRungsRunOut()
    {
        string dir = TempDir();
        try
        {
            var backend = new FakeBackend();
            var config = Config("halving", metric: "fid", rungs: 2) with { Eta = 2 };
            var runner = new SweepRunner(config, backend, dir, TextWriter.Null);
            runner.Run();
            Assert.AreEqual(2, runner.Rungs.Count);
            CollectionAssert.AreEqual(new[] { 8, 7, 6, 5 }, runner.Rungs[1].Select(t => t.Index).ToArray(), "lowest FID, keep 9/2 = 4");
            CollectionAssert.AreEqual(new[] { 30.0 }, backend.Trained.Where(t => t.Index == 5).Skip(1).Select(t => t.Budget).ToArray(), "10 + 10×2");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void EqualClassAccuraciesAreRankedByFid()
    {
        string dir = TempDir();
        try
        {
            var runner = new SweepRunner(Config("halving"), new FakeBackend(flatAccuracy: true), dir, TextWriter.Null);
            runner.Run();
            CollectionAssert.AreEqual(new[] { 8, 7, 6 }, runner.Rungs[1].Select(t => t.Index).ToArray(), "lowest FID among equal accuracies");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void RerunSkipsFinishedTrialsAndContinuesAStoppedSweep()
    {
        string dir = TempDir();
        try
        {
            using var stop = new CancellationTokenSource();
            var first = new FakeBackend(n => n == 4, stop);
            var partial = new SweepRunner(Config("grid"), first, dir, TextWriter.Null).Run(stop.Token);
            Assert.AreEqual(3, partial.Count, "the 4th trial was stopped mid-training: not evaluated");
            Assert.AreEqual(4, first.Trained.Count);

            var second = new FakeBackend();
            var output = new StringWriter();
            var results = new SweepRunner(Config("grid"), second, dir, output).Run();
            Assert.AreEqual(9, results.Count);
            CollectionAssert.AreEqual(Enumerable.Range(3, 6).ToArray(), second.Trained.Select(t => t.Index).ToArray(), "finished trials are skipped; the stopped one resumes");
            StringAssert.Contains(output.ToString(), "done before");

            var third = new FakeBackend();
            results = new SweepRunner(Config("grid"), third, dir, TextWriter.Null).Run();
            Assert.AreEqual(0, third.Trained.Count + third.Evaluated.Count);
            Assert.AreEqual(9, results.Count);
            Assert.AreEqual(9 * 2, SweepReport.Rows(results, SweepMetric.ClassAccuracy).Count, "a row per sampling setting");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void RandomSearchTrainsTheDrawnTrialsOnce()
    {
        string dir = TempDir();
        try
        {
            var backend = new FakeBackend();
            var config = Config("random", trials: 4) with { Seed = 5 };
            new SweepRunner(config, backend, dir, TextWriter.Null).Run();
            CollectionAssert.AreEqual(SweepPlanner.Random(config.ResolvedSpace, 4, 5).Select(t => t.Index).ToArray(), backend.Trained.Select(t => t.Index).ToArray());
            Assert.IsTrue(backend.Trained.All(t => t.Budget == 10));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ReportSortsBestFirstAndDrawsThePlots()
    {
        string dir = TempDir();
        try
        {
            var results = new SweepRunner(Config("halving", metric: "fid"), new FakeBackend(), dir, TextWriter.Null).Run();
            var files = SweepReport.Write(dir, results, SweepMetric.Fid);
            Assert.AreEqual(5, files.Count);
            foreach (var f in files) Assert.IsTrue(new FileInfo(f).Length > 0, f);
            var csv = File.ReadAllLines(Path.Combine(dir, SweepReport.CsvFileName));
            Assert.AreEqual(1 + 13 * 2, csv.Length);
            StringAssert.StartsWith(csv[1], "008-", "lowest FID first");
            StringAssert.Contains(csv[1], ",2,", "its last rung");
            var md = File.ReadAllLines(Path.Combine(dir, SweepReport.MarkdownFileName));
            Assert.IsTrue(md.Any(l => l.StartsWith("| 1 | 008-", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
