using System.CommandLine;
using System.Globalization;
using DitML.Cli.Sweeps;
using DitML.Dit;

namespace DitML.Cli.Commands;

/// <summary>`ditml sweep`: AutoML-style search over DiT shapes, optimizer and sampling settings (grid, random, successive halving).</summary>
internal static class SweepCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var configFile = new Option<FileInfo>("--config") { Description = "Sweep JSON: data, strategy (grid, random, halving), seed, trials, eta, budget, metric, classifier, statistics, samples_per_class, space.", Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Sweep folder: trials/<id>/ run folders, results.csv, results.md, plots. Rerun to continue.", Required = true };
        var command = new Command("sweep", "Search DiT shapes, learning rates, batch sizes and sampling settings; rank by class accuracy or FID. Rerunning skips finished trials and resumes unfinished ones.");
        command.Options.Add(configFile);
        command.Options.Add(outDir);
        command.SetAction(parse =>
        {
            var config = SweepConfig.Load(parse.GetValue(configFile)!.FullName);
            string dir = parse.GetValue(outDir)!.FullName;
            var data = DataOptions.Open(config.Data, 32, 3);
            if (data.Height != data.Width) throw new ArgumentException($"sweep config data: images must be square, got {data.Height}×{data.Width}", "data");
            config.ValidateFor(data.Height);
            Directory.CreateDirectory(dir);
            File.Copy(parse.GetValue(configFile)!.FullName, Path.Combine(dir, "sweep.json"), overwrite: true);
            using var backend = new DiTSweepBackend(config, data, error);
            var trials = SweepPlanner.Trials(config);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sweep: {config.StrategyKind.ToString().ToLowerInvariant()} over {trials.Count} trials × {SweepPlanner.Sampling(config.ResolvedSpace).Count} sampling settings on {data.Count} images, budget {config.Budget}, metric {config.Metric}"));
            using var stop = new StopSignals(error);
            var runner = new SweepRunner(config, backend, dir, output);
            var results = runner.Run(stop.Token);
            var files = SweepReport.Write(dir, results, config.MetricKind);
            var best = SweepReport.Rows(results, config.MetricKind).FirstOrDefault();
            if (best.Result is not null)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"best row: {best.Result.Trial.Id} at rung {best.Result.Rung} ({best.Result.Steps} steps), guidance {best.Evaluation.Sampling.Guidance}, {best.Evaluation.Sampling.Sampler} {best.Evaluation.Sampling.Steps} steps: class accuracy {best.Evaluation.ClassAccuracy:P1}, FID {best.Evaluation.Fid:F2}"));
            if (config.StrategyKind == SweepStrategy.Halving && runner.Rungs.Count > 0 && !stop.Requested)
                output.WriteLine($"halving winner (trained longest, rung {runner.Rungs.Count - 1}): {string.Join(", ", runner.Rungs[^1].Select(t => t.Id))}");
            output.WriteLine($"wrote {string.Join(", ", files)}");
            return stop.Requested ? 130 : 0;
        });
        return command;
    }
}
