using System.Globalization;
using System.Text;
using ScottPlot;

namespace DitML.Cli.Sweeps;

/// <summary>
/// Writes a sweep's results: <c>results.csv</c> (a row per trial, rung and sampling setting), <c>results.md</c> (the
/// same rows as a Markdown table, best first) and three ScottPlot pictures: the metric against model Gflops, against
/// training compute (Gflops × 3 × batch × steps) and against sampling steps.
/// </summary>
public static class SweepReport
{
    /// <summary>CSV file name.</summary>
    public const string CsvFileName = "results.csv";

    /// <summary>Markdown file name.</summary>
    public const string MarkdownFileName = "results.md";

    /// <summary>Plot file names.</summary>
    public const string GflopsPlot = "metric-vs-gflops.png", ComputePlot = "metric-vs-compute.png", SamplingStepsPlot = "metric-vs-sampling-steps.png";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The rows, best first by <paramref name="metric"/> (ties: later rung, then trial index).</summary>
    public static IReadOnlyList<(SweepRungResult Result, SweepEvaluation Evaluation)> Rows(IEnumerable<SweepRungResult> results, SweepMetric metric)
    {
        var rows = results.SelectMany(r => r.Evaluations.Select(e => (Result: r, Evaluation: e)));
        var key = (Func<(SweepRungResult Result, SweepEvaluation Evaluation), double>)(row =>
        {
            double v = row.Evaluation.Value(metric);
            return !double.IsFinite(v) ? double.NegativeInfinity : metric == SweepMetric.Fid ? -v : v;
        });
        return rows.OrderByDescending(key).ThenByDescending(r => SweepRungResult.Secondary(r.Evaluation, metric)).ThenByDescending(r => r.Result.Rung).ThenBy(r => r.Result.Trial.Index).ToList();
    }

    /// <summary>Writes every output into <paramref name="directory"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<SweepRungResult> results, SweepMetric metric)
    {
        Directory.CreateDirectory(directory);
        var rows = Rows(results, metric);
        var written = new List<string>();
        string csv = Path.Combine(directory, CsvFileName);
        File.WriteAllText(csv, Csv(rows));
        written.Add(csv);
        string md = Path.Combine(directory, MarkdownFileName);
        File.WriteAllText(md, Markdown(rows, metric));
        written.Add(md);
        if (rows.Count > 0)
        {
            string label = metric == SweepMetric.Fid ? "FID (lower is better)" : "class accuracy";
            // Each trial at each rung is a point at its best sampling setting.
            var best = results.Select(r => (Result: r, Evaluation: r.Best(metric))).ToList();
            written.Add(Scatter(Path.Combine(directory, GflopsPlot), $"{label} vs model Gflops", "model Gflops (forward, one image)", label,
                best.GroupBy(b => $"patch {b.Result.Trial.Patch}").Select(g => (g.Key, g.Select(b => (b.Result.Gflops, b.Evaluation.Value(metric))).ToList()))));
            written.Add(Scatter(Path.Combine(directory, ComputePlot), $"{label} vs training compute", "training compute (Gflop = Gflops × 3 × batch × steps, log scale)", label,
                best.GroupBy(b => string.Create(Inv, $"w{b.Result.Trial.HiddenSize} p{b.Result.Trial.Patch} d{b.Result.Trial.Depth}"))
                    .Select(g => (g.Key, g.Select(b => (Math.Log10(Math.Max(b.Result.TrainingGflop, 1e-12)), b.Evaluation.Value(metric))).ToList())),
                connect: true, logX: true));
            // Final rung of each trial: every sampling setting, a series per sampler and guidance.
            var finals = results.GroupBy(r => r.Trial.Index).Select(g => g.MaxBy(r => r.Rung)!).ToList();
            written.Add(Scatter(Path.Combine(directory, SamplingStepsPlot), $"{label} vs sampling steps", "sampling steps", label,
                finals.SelectMany(r => r.Evaluations).GroupBy(e => string.Create(Inv, $"{e.Sampling.Sampler} cfg {e.Sampling.Guidance}"))
                    .Select(g => (g.Key, g.Select(e => ((double)e.Sampling.Steps, e.Value(metric))).ToList()))));
        }
        return written;
    }

    /// <summary>The CSV text.</summary>
    public static string Csv(IReadOnlyList<(SweepRungResult Result, SweepEvaluation Evaluation)> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("trial,rung,depth,hidden_size,heads,patch,lr,batch,steps,parameters,gflops,training_gflop,guidance,sampler,sampling_steps,class_accuracy,fid,eval_seconds");
        foreach (var (r, e) in rows)
        {
            var t = r.Trial;
            sb.AppendLine(string.Create(Inv,
                $"{t.Id},{r.Rung},{t.Depth},{t.HiddenSize},{t.Heads},{t.Patch},{t.Lr:R},{t.Batch},{r.Steps},{r.Parameters},{r.Gflops:R},{r.TrainingGflop:R},{e.Sampling.Guidance:R},{e.Sampling.Sampler},{e.Sampling.Steps},{e.ClassAccuracy:R},{e.Fid:R},{e.Seconds:F3}"));
        }
        return sb.ToString();
    }

    /// <summary>The Markdown table, best first.</summary>
    public static string Markdown(IReadOnlyList<(SweepRungResult Result, SweepEvaluation Evaluation)> rows, SweepMetric metric)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Sweep results");
        sb.AppendLine();
        sb.AppendLine(metric == SweepMetric.Fid ? "Sorted by FID (lower is better)." : "Sorted by class accuracy (higher is better).");
        sb.AppendLine();
        sb.AppendLine("| # | trial | rung | depth | width | heads | patch | lr | batch | steps | params | Gflops | train Gflop | guidance | sampler | sampling steps | class accuracy | FID |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        int n = 0;
        foreach (var (r, e) in rows)
        {
            var t = r.Trial;
            sb.AppendLine(string.Create(Inv,
                $"| {++n} | {t.Id} | {r.Rung} | {t.Depth} | {t.HiddenSize} | {t.Heads} | {t.Patch} | {t.Lr:G4} | {t.Batch} | {r.Steps} | {r.Parameters:N0} | {r.Gflops:F4} | {r.TrainingGflop:G4} | {e.Sampling.Guidance} | {e.Sampling.Sampler} | {e.Sampling.Steps} | {e.ClassAccuracy:P1} | {e.Fid:F2} |"));
        }
        return sb.ToString();
    }

    private static string Scatter(string path, string title, string xLabel, string yLabel, IEnumerable<(string Label, List<(double X, double Y)> Points)> series,
        bool connect = false, bool logX = false)
    {
        var plot = new Plot();
        foreach (var (label, points) in series)
        {
            var finite = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).OrderBy(p => p.X).ToList();
            if (finite.Count == 0) continue;
            double[] xs = finite.Select(p => p.X).ToArray(), ys = finite.Select(p => p.Y).ToArray();
            // A trial's rungs joined by a line show how its score grows with compute.
            var scatter = connect && finite.Count > 1 ? plot.Add.ScatterLine(xs, ys) : plot.Add.ScatterPoints(xs, ys);
            scatter.MarkerSize = 8;
            scatter.LegendText = label;
        }
        if (logX)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                LabelFormatter = x => Math.Pow(10, x).ToString("G3", Inv),
            };
        }
        plot.Title(title);
        plot.Axes.Bottom.Label.Text = xLabel;
        plot.Axes.Left.Label.Text = yLabel;
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 800, 500);
        return path;
    }
}
