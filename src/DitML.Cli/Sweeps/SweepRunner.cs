using System.Globalization;
using System.Text.Json;

namespace DitML.Cli.Sweeps;

/// <summary>
/// Runs a sweep: grid or random search train each trial once for the budget; successive halving trains every trial
/// for the first rung's budget, keeps the best 1/eta by the metric (ties broken by the other metric, then grid order), trains the survivors eta times the previous
/// rung's budget more (rung r adds budget × eta^r), and repeats until one trial remains or the rungs run out.
/// Each trial lives in <c>OUT/trials/ID/</c>; a rung's scores are stored as <c>rung-R.json</c> and a finished
/// trial's as <c>result.json</c>, so rerunning skips finished work and resumes unfinished training.
/// </summary>
public sealed class SweepRunner(SweepConfig config, ISweepBackend backend, string outDirectory, TextWriter output)
{
    /// <summary>Name of a finished trial's result file.</summary>
    public const string ResultFileName = "result.json";

    /// <summary>Trials that survived each rung (index r: the trials trained at rung r).</summary>
    public List<IReadOnlyList<SweepTrial>> Rungs { get; } = [];

    /// <summary>Runs (or continues) the sweep; returns every rung result, in the order produced. Stops early when cancelled.</summary>
    public IReadOnlyList<SweepRungResult> Run(CancellationToken cancellation = default)
    {
        var metric = config.MetricKind;
        var sampling = SweepPlanner.Sampling(config.ResolvedSpace);
        IReadOnlyList<SweepTrial> alive = SweepPlanner.Trials(config);
        bool halving = config.StrategyKind == SweepStrategy.Halving;
        int maxRungs = halving ? config.Rungs ?? int.MaxValue : 1;
        var all = new List<SweepRungResult>();
        double factor = 0;
        for (int rung = 0; ; rung++)
        {
            Rungs.Add(alive);
            factor += Math.Pow(config.Eta, rung);
            var budget = halving ? config.Budget!.Times(factor) : config.Budget!;
            var results = new List<SweepRungResult>();
            for (int i = 0; i < alive.Count; i++)
            {
                if (cancellation.IsCancellationRequested) return all;
                var trial = alive[i];
                string dir = TrialDirectory(trial);
                string rungFile = Path.Combine(dir, RungFileName(rung));
                string prefix = string.Create(CultureInfo.InvariantCulture, $"{(halving ? $"rung {rung}, " : "")}trial {i + 1}/{alive.Count} {trial.Id}");
                SweepRungResult result;
                if (File.Exists(rungFile))
                {
                    result = Read(rungFile);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}: done before ({result.Steps} steps), {Describe(result, metric)}"));
                }
                else
                {
                    output.WriteLine($"{prefix}: training to {budget}");
                    Directory.CreateDirectory(dir);
                    long steps = backend.Train(trial, dir, budget, cancellation);
                    if (cancellation.IsCancellationRequested)
                    {
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}: stopped at step {steps}; rerun the command to continue"));
                        return all;
                    }
                    result = backend.Evaluate(trial, dir, rung, steps, sampling);
                    Write(rungFile, result);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}: {steps} steps, {Describe(result, metric)}"));
                }
                results.Add(result);
                all.Add(result);
            }
            bool last = alive.Count <= 1 || rung + 1 >= maxRungs;
            var ranked = results.OrderByDescending(r => r.Score(metric)).ThenByDescending(r => r.TieBreak(metric)).ThenBy(r => r.Trial.Index).ToList();
            int keep = last ? 0 : Math.Max(1, alive.Count / config.Eta);
            foreach (var r in ranked.Skip(keep)) Write(Path.Combine(TrialDirectory(r.Trial), ResultFileName), r);
            if (last) break;
            alive = ranked.Take(keep).Select(r => r.Trial).ToArray();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rung {rung}: keeping {keep} of {results.Count} ({string.Join(", ", alive.Select(t => t.Id))})"));
        }
        return all;
    }

    /// <summary>The run folder of a trial.</summary>
    public string TrialDirectory(SweepTrial trial) => Path.Combine(outDirectory, "trials", trial.Id);

    /// <summary>File name of a rung's scores inside the trial folder.</summary>
    public static string RungFileName(int rung) => string.Create(CultureInfo.InvariantCulture, $"rung-{rung}.json");

    private static string Describe(SweepRungResult result, SweepMetric metric)
    {
        var best = result.Best(metric);
        string name = metric == SweepMetric.Fid ? "fid" : "class-accuracy";
        return string.Create(CultureInfo.InvariantCulture,
            $"{name} {best.Value(metric):F4} (guidance {best.Sampling.Guidance}, {best.Sampling.Sampler} {best.Sampling.Steps} steps; class accuracy {best.ClassAccuracy:P1}, FID {best.Fid:F2})");
    }

    private static SweepRungResult Read(string path) =>
        JsonSerializer.Deserialize<SweepRungResult>(File.ReadAllText(path), JsonOptions) ?? throw new InvalidDataException($"{path}: empty result");

    private static void Write(string path, SweepRungResult result)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(result, JsonOptions));
        File.Move(temp, path, overwrite: true);
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
