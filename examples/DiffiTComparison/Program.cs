// DiT vs DiffiT on Fashion-MNIST at equal training compute: the scoring half of run.sh.
//
//   eval:   samples one exported model (ditml export-onnx) --per-class images of each class (seeds 0…10·per-class − 1; run.sh: 50) at each guidance scale with its
//           family's sampler (DPM-Solver++(2M) 20 steps for the DDPM models, EDM's Heun 18 steps for image DiffiT),
//           scores class accuracy and FID with the project's classifier, writes NAME.json and NAME-samples.png.
//     dotnet run -c Release --project examples/DiffiTComparison -- eval --name dit --model runs/cmp/dit.onnx --out DIR
//         [--per-class 100] [--guidance 1,3] [--threads 0] [--reference examples/models/fashion-mnist]
//   report: joins the NAME.json files with the runs' log.jsonl into results.md (the table, training compute included),
//           the real-image floor and loss-curves.png (every run's loss against training compute).
//     dotnet run -c Release --project examples/DiffiTComparison -- report --runs runs/cmp --out DIR [--batch 64] [--per-class 100]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DitML.Examples.FashionMnistDiT;
using DitML.Generation;
using DitML.Imaging;
using DitML.Models;
using DitML.Sampling;
using ScottPlot;

var inv = CultureInfo.InvariantCulture;
string reference = Arg("--reference", Path.Combine("examples", "models", "fashion-mnist"));
string outDir = Arg("--out", Path.Combine("examples", "DiffiTComparison"));
int perClass = int.Parse(Arg("--per-class", "100"), inv);
var labels = Enumerable.Range(0, 10 * perClass).Select(i => (long)(i / perClass)).ToArray();
var seeds = Enumerable.Range(0, labels.Length).Select(i => (long)i).ToArray();
Directory.CreateDirectory(outDir);
// The three runs of run.sh, in the table's order.
(string Name, string Title)[] runs = [("dit", "DiT (adaLN-Zero)"), ("diffit-latent", "latent-style DiffiT (pixels)"), ("diffit-image", "image-space DiffiT, EDM")];

switch (args.FirstOrDefault())
{
    case "eval": return Evaluate();
    case "report": return Report();
    default:
        Console.Error.WriteLine("usage: eval --name NAME --model MODEL.onnx [--out DIR] | report --runs RUNS [--out DIR]");
        return 2;
}

int Evaluate()
{
    string name = Arg("--name", ""), model = Arg("--model", "");
    double[] scales = Arg("--guidance", "1,3").Split(',').Select(v => double.Parse(v, inv)).ToArray();
    int threads = int.Parse(Arg("--threads", "0"), inv);
    using var scorer = new FashionMnistScorer(Path.Combine(reference, "classifier.onnx"), Path.Combine(reference, "test-stats.npz"));
    var result = new JsonObject { ["name"] = name, ["model"] = model, ["per_class"] = perClass };
    var rows = new JsonArray();
    foreach (double scale in scales)
    {
        var watch = Stopwatch.StartNew();
        using var generator = DiffusionGenerator.Open(model, new DiffusionGeneratorOptions { Threads = threads, Sampler = Sampler(model, scale) });
        if (rows.Count == 0) Describe(generator, result);
        var pixels = new float[labels.Length * generator.Channels * generator.Height * generator.Width];
        generator.Generate(labels, seeds, pixels);
        // EDM's sampler does not clip; every sample is scored (and drawn) in the data range, as a saved image would be.
        for (int i = 0; i < pixels.Length; i++) pixels[i] = float.IsFinite(pixels[i]) ? Math.Clamp(pixels[i], -1f, 1f) : 0f;
        var (accuracy, fid) = scorer.Score(pixels, labels);
        double seconds = watch.Elapsed.TotalSeconds;
        rows.Add(new JsonObject { ["guidance"] = scale, ["accuracy"] = accuracy, ["fid"] = fid, ["seconds"] = seconds });
        Console.WriteLine(string.Create(inv, $"{name}, guidance {scale}: class accuracy {accuracy:P1}, FID {fid:F2} ({labels.Length} samples, {seconds:F0} s)"));
        if (scale == scales.Max()) SaveGrid(pixels, generator.Channels, generator.Height, generator.Width, Path.Combine(outDir, $"{name}-samples.png"));
    }
    result["rows"] = rows;
    File.WriteAllText(Path.Combine(outDir, $"{name}.json"), result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    return 0;
}

// The family's sampler: EDM models (image DiffiT) take EDM's deterministic Heun at 18 steps (35 evaluations, the paper's
// CIFAR-10 setting); DDPM models DPM-Solver++(2M) at 20, with constant guidance for both (latent DiffiT's release would
// use its power-cosine schedule at latent ≤ 32, which leaves guidance almost off: not the comparison asked for).
SamplerOptions Sampler(string model, double scale)
{
    using var probe = DiffusionGenerator.Open(model, new DiffusionGeneratorOptions { UseModelSampler = true, Threads = 1 });
    return probe.EdmInfo is not null
        ? new SamplerOptions { Sampler = SamplerKind.Heun, Steps = 18, GuidanceScale = scale }
        : new SamplerOptions { Sampler = SamplerKind.DpmSolverPlusPlus, Steps = 20, GuidanceScale = scale, GuidanceSchedule = GuidanceSchedule.Constant };
}

void Describe(DiffusionGenerator generator, JsonObject result)
{
    if (generator.EdmInfo is { } edm)
    {
        var c = edm.Config;
        result["config"] = string.Create(inv, $"stages {string.Join('/', Enumerable.Range(0, c.Stages).Select(c.Resolution))} × {string.Join(',', c.StageChannels)} ch, blocks {string.Join(',', c.BlocksPerStage)}, window {c.WindowSize}, head dim {c.HeadDim}, time token {c.TimeEmbedDim}");
        result["parameters"] = ImageDiffiTComplexity.Parameters(c);
        result["macs"] = ImageDiffiTComplexity.MultiplyAccumulates(c);
        result["sampler"] = "EDM Heun, 18 steps (35 evaluations)";
    }
    else if (generator.Info.DiffiTConfig is { } diffit)
    {
        result["config"] = string.Create(inv, $"depth {diffit.Depth}, width {diffit.HiddenSize}, {diffit.NumHeads} heads, patch {diffit.PatchSize}");
        result["parameters"] = LatentDiffiTComplexity.Parameters(diffit);
        result["macs"] = LatentDiffiTComplexity.MultiplyAccumulates(diffit);
        result["sampler"] = "DPM-Solver++(2M), 20 steps";
    }
    else
    {
        var c = generator.Info.Config;
        result["config"] = string.Create(inv, $"depth {c.Depth}, width {c.HiddenSize}, {c.NumHeads} heads, patch {c.PatchSize}");
        result["parameters"] = DiTComplexity.Parameters(c);
        result["macs"] = DiTComplexity.MultiplyAccumulates(c);
        result["sampler"] = "DPM-Solver++(2M), 20 steps";
    }
}

// A row per class: the first 10 samples of each (seeds k·perClass …).
void SaveGrid(float[] pixels, int channels, int height, int width, string path)
{
    const int columns = 10;
    int plane = channels * height * width, shown = Math.Min(columns, perClass);
    var grid = new float[10 * columns * plane];
    for (int k = 0; k < 10; k++)
        for (int j = 0; j < shown; j++)
            pixels.AsSpan((k * perClass + j) * plane, plane).CopyTo(grid.AsSpan((k * columns + j) * plane, plane));
    ImageGrid.SavePng(path, grid, 10 * columns, channels, height, width, columns, scale: 2);
}

int Report()
{
    string runsDir = Arg("--runs", Path.Combine("runs", "cmp"));
    int batch = int.Parse(Arg("--batch", "64"), inv);
    using var scorer = new FashionMnistScorer(Path.Combine(reference, "classifier.onnx"), Path.Combine(reference, "test-stats.npz"));
    var (realAccuracy, realFid) = scorer.RealFloor(perClass, labels);
    var md = new StringBuilder();
    md.AppendLine("| model | config | parameters | Gflops / image (forward) | training steps (batch " + batch + ") | training compute (3 × forward × images) | sampler | guidance 1: class acc. / FID | guidance 3: class acc. / FID |");
    md.AppendLine("|---|---|---|---|---|---|---|---|---|");
    var plot = new Plot();
    foreach (var (name, title) in runs)
    {
        string json = Path.Combine(outDir, $"{name}.json");
        if (!File.Exists(json)) { Console.Error.WriteLine($"warning: {json} is missing (run eval for {name}); left out"); continue; }
        var r = JsonNode.Parse(File.ReadAllText(json))!;
        long macs = (long)r["macs"]!;
        var log = ReadLog(Path.Combine(runsDir, name, "log.jsonl"));
        long steps = log.Count > 0 ? (long)log[^1].Step : 0;
        double compute = 3.0 * macs * steps * batch / 1e12;
        string Cell(double g) => r["rows"]!.AsArray().FirstOrDefault(x => (double)x!["guidance"]! == g) is { } row
            ? string.Create(inv, $"{(double)row["accuracy"]!:P1} / {(double)row["fid"]!:F1}") : "–";
        md.AppendLine(string.Create(inv, $"| {title} | {r["config"]} | {(long)r["parameters"]!:N0} | {macs / 1e9:F4} | {steps:N0} ({steps * batch:N0} images) | {compute:F2} T | {r["sampler"]} | {Cell(1)} | {Cell(3)} |"));
        double perStep = 3.0 * macs * batch / 1e12;
        var line = plot.Add.Scatter(log.Select(p => p.Step * perStep).ToArray(), log.Select(p => p.Loss).ToArray());
        line.LegendText = name == "diffit-image" ? $"{title} (EDM-weighted loss)" : $"{title} (hybrid loss)";
    }
    md.AppendLine(string.Create(inv, $"| real training images ({perClass} per class: the floor at this count) | | | | | | | {realAccuracy:P1} / {realFid:F1} | |"));
    md.AppendLine();
    md.AppendLine(string.Create(inv, $"{labels.Length} samples per cell ({perClass} per class, seeds 0…{labels.Length - 1}); class accuracy and FID from `examples/models/fashion-mnist/classifier.onnx` (256-d features) against the 10,000 test images' statistics. Gflops are multiply-accumulates (the DiT paper's convention); training compute in T(era) multiply-accumulates."));
    File.WriteAllText(Path.Combine(outDir, "results.md"), md.ToString());
    Console.Write(md.ToString());
    plot.Axes.Bottom.Label.Text = "training compute (T multiply-accumulates)";
    plot.Axes.Left.Label.Text = "training loss";
    plot.Title("Fashion-MNIST: loss against equal training compute");
    plot.ShowLegend(Alignment.UpperRight);
    plot.SavePng(Path.Combine(outDir, "loss-curves.png"), 800, 450);
    Console.WriteLine($"wrote {Path.Combine(outDir, "results.md")} and loss-curves.png");
    return 0;
}

// The last value logged for each step (a resumed run appends).
static List<(double Step, double Loss)> ReadLog(string path)
{
    var last = new SortedDictionary<double, double>();
    if (!File.Exists(path)) return [];
    foreach (string text in File.ReadLines(path))
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            last[doc.RootElement.GetProperty("step").GetDouble()] = doc.RootElement.GetProperty("loss").GetDouble();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException)
        {
            // a torn line (a run killed mid-write) is skipped
        }
    }
    return last.Select(p => (p.Key, p.Value)).ToList();
}

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
