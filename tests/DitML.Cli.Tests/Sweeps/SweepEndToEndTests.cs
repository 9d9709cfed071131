using System.Diagnostics;
using DitML.Cli.Sweeps;

namespace DitML.Cli.Tests.Sweeps;

[TestClass]
public sealed class SweepEndToEndTests
{
    /// <summary>The repository root (the folder holding examples/models/fashion-mnist), found from the test's folder upwards.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "examples", "models", "fashion-mnist", "classifier.onnx"))) return dir.FullName;
        throw new AssertInconclusiveException("examples/models/fashion-mnist/classifier.onnx not found above " + AppContext.BaseDirectory);
    }

    [TestMethod]
    [Timeout(120_000)]
    public void SweepsTinyModelsOnSyntheticDataAndRerunsWithoutWork()
    {
        string root = RepositoryRoot();
        string temp = Directory.CreateTempSubdirectory("ditml-cli-sweep-").FullName;
        try
        {
            string data = Path.Combine(temp, "data"), outDir = Path.Combine(temp, "sweep"), config = Path.Combine(temp, "sweep.json");
            IdxFiles.Write(data, n: 20, size: 28, classes: 10);                                   // 28×28 so the shipped classifier scores the samples
            File.WriteAllText(config, $$"""
                {
                  "data": {{System.Text.Json.JsonSerializer.Serialize(data)}},
                  "strategy": "grid", "seed": 3, "metric": "class-accuracy",
                  "budget": { "steps": 5 }, "samples_per_class": 2, "ema": 0.9, "log_every": 1,
                  "classifier": {{System.Text.Json.JsonSerializer.Serialize(Path.Combine(root, "examples", "models", "fashion-mnist", "classifier.onnx"))}},
                  "statistics": {{System.Text.Json.JsonSerializer.Serialize(Path.Combine(root, "examples", "models", "fashion-mnist", "test-stats.npz"))}},
                  "space": { "depth": [1], "hidden_size": [16], "heads": [2], "patch": [7, 14], "lr": [0.001], "batch": [4],
                             "guidance": [1.5], "sampler": ["dpm++", "ddim"], "sampling_steps": [2] }
                }
                """);
            var watch = Stopwatch.StartNew();
            var (code, output, error) = CliRunner.Run("sweep", "--config", config, "--out", outDir);
            double seconds = watch.Elapsed.TotalSeconds;
            Assert.AreEqual(0, code, output + error);
            StringAssert.Contains(output, "trial 1/2");
            StringAssert.Contains(output, "trial 2/2");
            StringAssert.Contains(output, "class-accuracy");
            Assert.IsTrue(seconds < 40, $"took {seconds:F1} s");

            var csv = File.ReadAllLines(Path.Combine(outDir, SweepReport.CsvFileName));
            Assert.AreEqual(1 + 2 * 2, csv.Length, "2 trials × 2 samplers");
            var header = csv[0].Split(',');
            int acc = Array.IndexOf(header, "class_accuracy"), steps = Array.IndexOf(header, "steps"), fid = Array.IndexOf(header, "fid");
            foreach (var line in csv.Skip(1))
            {
                var cells = line.Split(',');
                Assert.AreEqual("5", cells[steps]);
                double a = double.Parse(cells[acc], System.Globalization.CultureInfo.InvariantCulture);
                Assert.IsTrue(a is >= 0 and <= 1, line);
                Assert.IsTrue(double.IsFinite(double.Parse(cells[fid], System.Globalization.CultureInfo.InvariantCulture)), line);
            }
            foreach (var png in new[] { SweepReport.GflopsPlot, SweepReport.ComputePlot, SweepReport.SamplingStepsPlot })
                Assert.IsTrue(new FileInfo(Path.Combine(outDir, png)).Length > 1000, png);
            Assert.IsTrue(File.Exists(Path.Combine(outDir, SweepReport.MarkdownFileName)));
            var trials = Directory.GetDirectories(Path.Combine(outDir, "trials"));
            Assert.AreEqual(2, trials.Length);
            foreach (var t in trials)
            {
                Assert.IsTrue(File.Exists(Path.Combine(t, SweepRunner.ResultFileName)), t);
                Assert.IsTrue(File.Exists(Path.Combine(t, "ema.safetensors")), t);
            }

            (code, output, error) = CliRunner.Run("sweep", "--config", config, "--out", outDir);
            Assert.AreEqual(0, code, output + error);
            Assert.AreEqual(2, output.Split("done before").Length - 1, output);
            Assert.AreEqual(csv.Length, File.ReadAllLines(Path.Combine(outDir, SweepReport.CsvFileName)).Length);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
