using System.Diagnostics;
using System.Globalization;
using System.Text;
using DitML.Dit;
using DitML.Generation;
using DitML.Models;
using DitML.Sampling;
using DitML.Training;
using ScottPlot;

namespace DitML.Examples.FashionMnistDiT;

/// <summary>
/// The quality curve of a training run: every snapshot (a folder holding a copy of the run's <c>ema.safetensors</c> and
/// <c>checkpoint.safetensors</c>) sampled at one guidance scale, scored by the project's classifier, and the real-image
/// floor at the same count; writes <c>curve.md</c> (a table) and <c>curve.png</c> (FID and class accuracy against steps).
/// </summary>
internal static class QualityCurve
{
    /// <summary>One evaluated point: steps in all (base run included), class accuracy, FID, sampling seconds.</summary>
    private sealed record Point(long Steps, double Accuracy, double Fid, double Seconds, string Source);

    /// <param name="snapshots">Folder of snapshot folders.</param>
    /// <param name="baseWeights">Weights the run fine-tuned from (a point at <paramref name="baseSteps"/>), or null.</param>
    /// <param name="baseSteps">Steps behind <paramref name="baseWeights"/>, added to every snapshot's own step.</param>
    /// <param name="scorer">The classifier and test statistics.</param>
    /// <param name="perClass">Samples per class.</param>
    /// <param name="scale">Guidance scale.</param>
    /// <param name="sampler">DPM-Solver++(2M) or Heun.</param>
    /// <param name="steps">Sampler steps.</param>
    /// <param name="outDir">Where curve.md and curve.png go.</param>
    /// <param name="measured">
    /// A CSV of points measured earlier with the same seeds and settings (lines <c>steps,accuracy,fid</c>, accuracy as a
    /// fraction; '#' starts a comment), drawn and tabled with the new ones: the runs before this one, whose snapshots
    /// are gone. Null: none.
    /// </param>
    public static void Run(string snapshots, string? baseWeights, long baseSteps, FashionMnistScorer scorer, int perClass, double scale,
        SamplerKind sampler, int steps, string outDir, string? measured = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var labels = Enumerable.Range(0, 10 * perClass).Select(i => (long)(i / perClass)).ToArray();
        var seeds = Enumerable.Range(0, labels.Length).Select(i => (long)i).ToArray();
        var sources = new List<(long Steps, string Ema)>();
        if (baseWeights is not null) sources.Add((baseSteps, baseWeights));
        foreach (string dir in Directory.GetDirectories(snapshots))
        {
            string ema = Path.Combine(dir, TrainingCheckpoint.EmaFileName), checkpoint = Path.Combine(dir, TrainingCheckpoint.FileName);
            if (!File.Exists(ema) || !File.Exists(checkpoint)) continue;
            var (_, _, step, _) = TrainingCheckpoint.Read(checkpoint);
            sources.Add((baseSteps + step, ema));
        }
        var points = new List<Point>();
        foreach (var line in measured is null ? [] : File.ReadAllLines(measured))
        {
            string text = line.Split('#')[0].Trim();
            if (text.Length == 0) continue;
            var f = text.Split(',');
            points.Add(new Point(long.Parse(f[0], inv), double.Parse(f[1], inv), double.Parse(f[2], inv), 0, "measured earlier"));
        }
        string candidate = Path.Combine(Path.GetTempPath(), $"ditml-curve-{Environment.ProcessId}.onnx");
        foreach (var (total, ema) in sources.DistinctBy(s => s.Steps).OrderBy(s => s.Steps))
        {
            using (var model = DiTCheckpoint.Load(ema))
            using (var onnx = DiTOnnxExporter.Export(model, new DiTOnnxExportOptions { Space = ModelSpace.Pixel, GuidanceScale = scale }))
                onnx.Save(candidate);
            var watch = Stopwatch.StartNew();
            using var generator = DiffusionGenerator.Open(candidate, new DiffusionGeneratorOptions
            {
                Sampler = new SamplerOptions { Sampler = sampler, Steps = steps, GuidanceScale = scale },
            });
            var pixels = new float[labels.Length * generator.Channels * generator.Height * generator.Width];
            generator.Generate(labels, seeds, pixels);
            var (accuracy, fid) = scorer.Score(pixels, labels);
            points.Add(new Point(total, accuracy, fid, watch.Elapsed.TotalSeconds, ema));
            Console.WriteLine(string.Create(inv, $"{total,7} steps: class accuracy {accuracy:P1}, FID {fid:F2} ({ema})"));
        }
        File.Delete(candidate);
        points = [.. points.DistinctBy(p => p.Steps).OrderBy(p => p.Steps)];
        var (realAccuracy, realFid) = scorer.RealFloor(perClass, labels);
        Console.WriteLine(string.Create(inv, $"real training images: class accuracy {realAccuracy:P1}, FID {realFid:F2}"));

        var md = new StringBuilder();
        md.AppendLine(string.Create(inv, $"| steps | class accuracy | FID | FID / real floor |"));
        md.AppendLine("|---|---|---|---|");
        foreach (var p in points) md.AppendLine(string.Create(inv, $"| {p.Steps:N0} | {p.Accuracy:P1} | {p.Fid:F2} | {p.Fid / realFid:F2}× |"));
        md.AppendLine(string.Create(inv, $"| real training images ({perClass} per class) | {realAccuracy:P1} | {realFid:F2} | 1.00× |"));
        md.AppendLine();
        md.AppendLine(string.Create(inv, $"{sampler}, {steps} steps, guidance {scale}, {labels.Length} samples (seeds 0…{labels.Length - 1})."));
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "curve.md"), md.ToString());

        var plot = new Plot();
        double[] x = points.Select(p => (double)p.Steps).ToArray();
        var fidLine = plot.Add.Scatter(x, points.Select(p => p.Fid).ToArray());
        fidLine.LegendText = "FID (classifier features)";
        var floor = plot.Add.HorizontalLine(realFid);
        floor.LegendText = "real-image floor";
        floor.LinePattern = LinePattern.Dashed;
        var goal = plot.Add.HorizontalLine(1.5 * realFid);
        goal.LegendText = "goal: 1.5 × floor";
        goal.LinePattern = LinePattern.Dotted;
        var accuracyLine = plot.Add.Scatter(x, points.Select(p => 100 * p.Accuracy).ToArray());
        accuracyLine.LegendText = "class accuracy (%)";
        accuracyLine.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "class accuracy (%)";
        plot.Axes.Left.Label.Text = "FID";
        plot.Axes.Bottom.Label.Text = "training steps (batch 64)";
        plot.Title(string.Create(inv, $"Fashion-MNIST DiT: quality against training ({labels.Length} samples, guidance {scale})"));
        plot.ShowLegend(Alignment.MiddleRight);                                  // between the falling FID and the accuracy near the top
        plot.SavePng(Path.Combine(outDir, "curve.png"), 800, 450);
        Console.WriteLine($"wrote {Path.Combine(outDir, "curve.md")} and curve.png");
    }
}
