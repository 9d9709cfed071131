// Packages a Fashion-MNIST run of `ditml train` as the shipped model (examples/models/fashion-mnist), or a latent run
// (`ditml train --vae`, then give its VAE's --vae-decoder) into another folder:
//   model.onnx       — the EMA weights for the ONNX Runtime sampler, with the chosen default guidance in its metadata
//   ema.safetensors  — the EMA checkpoint (a DitML checkpoint: config inside)
//   model.md         — the model card: commands, training wall time, metrics per guidance scale
// It samples each candidate guidance scale with DPM-Solver++(2M), 20 steps, scores the samples with the shipped
// classifier (class accuracy, FID against the test-set statistics) and keeps the scale with the best FID among those
// whose class accuracy is at least 85%.
//
//   dotnet run -c Release --project examples/FashionMnistDiT -- --run runs/fmnist [--out DIR] [--per-class 50] [--cfg 1.5,2,3,4]
//       [--vae-decoder runs/vae/vae-decoder.onnx] [--reference examples/models/fashion-mnist (classifier.onnx, test-stats.npz)]
//       [--history history.md (markdown put in the card after its table: what the run was fine-tuned from, its curve)]
//
// Or draws a run's quality curve from snapshot folders (copies of its ema.safetensors + checkpoint.safetensors):
//   dotnet run -c Release --project examples/FashionMnistDiT -- --curve runs/snapshots [--base WEIGHTS --base-steps N]
//       [--per-class 100] [--guidance 3] [--sampler dpm++|heun] [--steps 20] [--out DIR]
//       [--measured points.csv (steps,accuracy,fid of earlier runs' points, same seeds and settings)]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DitML.Checkpoints;
using DitML.Generation;
using DitML.Metrics;
using DitML.Onnx;
using DitML.Sampling;
using DitML.Training;
using DitML.Models;
using DitML.Dit;
using DitML.Examples.FashionMnistDiT;

var inv = CultureInfo.InvariantCulture;
string reference = Arg("--reference", Path.Combine("examples", "models", "fashion-mnist"));
string classifierPath = Path.Combine(reference, "classifier.onnx");
string statisticsPath = Path.Combine(reference, "test-stats.npz");
using var scorer = new FashionMnistScorer(classifierPath, statisticsPath);
if (args.Contains("--curve"))
{
    QualityCurve.Run(Arg("--curve", ""), args.Contains("--base") ? Arg("--base", "") : null, long.Parse(Arg("--base-steps", "0"), inv), scorer,
        int.Parse(Arg("--per-class", "100"), inv), double.Parse(Arg("--guidance", "3"), inv),
        Arg("--sampler", "dpm++") == "heun" ? SamplerKind.Heun : SamplerKind.DpmSolverPlusPlus, int.Parse(Arg("--steps", "20"), inv),
        Arg("--out", Path.Combine("runs", "curve")), args.Contains("--measured") ? Arg("--measured", "") : null);
    return 0;
}
string run = Arg("--run", Path.Combine("runs", "fmnist"));
string outDir = Arg("--out", Path.Combine("examples", "models", "fashion-mnist"));
int perClass = int.Parse(Arg("--per-class", "50"), inv);
double[] scales = Arg("--cfg", "1.5,2,3,4").Split(',').Select(v => double.Parse(v, inv)).ToArray();
string? vaeDecoder = args.Contains("--vae-decoder") ? Arg("--vae-decoder", "") : null;
var space = vaeDecoder is null ? ModelSpace.Pixel : ModelSpace.Latent;

using var ema = DiTCheckpoint.Load(Path.Combine(run, TrainingCheckpoint.EmaFileName));
var (_, trainer, step, _) = TrainingCheckpoint.Read(Path.Combine(run, TrainingCheckpoint.FileName));
var log = File.ReadLines(Path.Combine(run, "log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
    .GroupBy(e => e.GetProperty("step").GetInt64()).Select(g => g.Last()).OrderBy(e => e.GetProperty("step").GetInt64()).ToList();
// Wall time from the log: each line covers the steps since the previous one at its logged speed.
double hours = 0;
long previous = 0;
foreach (var e in log)
{
    long s = e.GetProperty("step").GetInt64();
    hours += (s - previous) / e.GetProperty("steps_per_second").GetDouble() / 3600;
    previous = s;
}
double finalLoss = log.TakeLast(10).Average(e => e.GetProperty("loss").GetDouble());

Directory.CreateDirectory(outDir);
string candidate = Path.Combine(Path.GetTempPath(), "ditml-fmnist-candidate.onnx");
using (var onnx = DiTOnnxExporter.Export(ema, new DiTOnnxExportOptions { Space = space, GuidanceScale = scales[0] })) onnx.Save(candidate);
var labels = Enumerable.Range(0, 10 * perClass).Select(i => (long)(i / perClass)).ToArray();
var seeds = Enumerable.Range(0, labels.Length).Select(i => (long)i).ToArray();

var rows = new List<(double Scale, double Accuracy, double Fid, double Seconds)>();
foreach (double scale in scales)
{
    var watch = Stopwatch.StartNew();
    using var generator = DiffusionGenerator.Open(candidate, new DiffusionGeneratorOptions
    {
        Sampler = new SamplerOptions { Sampler = SamplerKind.DpmSolverPlusPlus, Steps = 20, GuidanceScale = scale },
        VaeDecoderPath = vaeDecoder,
    });
    var pixels = new float[labels.Length * generator.Channels * generator.Height * generator.Width];
    generator.Generate(labels, seeds, pixels);
    double seconds = watch.Elapsed.TotalSeconds;
    int nonFinite = pixels.Count(v => !float.IsFinite(v));
    if (nonFinite > 0) Console.WriteLine($"warning: guidance {scale}: {nonFinite} non-finite pixel values (the model diverges at this scale)");
    var (accuracy, fid) = scorer.Score(pixels, labels);
    rows.Add((scale, accuracy, fid, seconds));
    Console.WriteLine(string.Create(inv, $"guidance {scale}: class accuracy {accuracy:P1}, FID {fid:F2} ({labels.Length} samples, {seconds:F0} s)"));
}
var (realAccuracy, realFid) = scorer.RealFloor(perClass, labels);
Console.WriteLine(string.Create(inv, $"real training images: class accuracy {realAccuracy:P1}, FID {realFid:F2} ({labels.Length} images)"));

var eligible = rows.Where(r => r.Accuracy >= 0.85).ToList();
var best = (eligible.Count > 0 ? eligible : rows).OrderBy(r => eligible.Count > 0 ? r.Fid : -r.Accuracy).First();

// Fashion-MNIST's class names go into the metadata, so `ditml sample --classes Coat,Bag` and text labels work.
using (var onnx = DiTOnnxExporter.Export(ema, new DiTOnnxExportOptions
{
    Space = space, GuidanceScale = best.Scale, ClassNames = ema.Config.NumClasses == 10 ? DitML.Data.FashionMnist.ClassNames : null,
}))
    onnx.Save(Path.Combine(outDir, "model.onnx"));
File.Copy(Path.Combine(run, TrainingCheckpoint.EmaFileName), Path.Combine(outDir, "ema.safetensors"), overwrite: true);
if (vaeDecoder is not null) File.Copy(vaeDecoder, Path.Combine(outDir, "vae-decoder.onnx"), overwrite: true);
File.Delete(candidate);

var c = ema.Config;
var card = new StringBuilder();
card.AppendLine("# Fashion-MNIST DiT (DitML)");
card.AppendLine();
string input = string.Create(inv, $"{c.InputSize}×{c.InputSize}×{c.InChannels}");
card.AppendLine(string.Create(inv, $"A class-conditional {space.ToText()}-space DiT (depth {c.Depth}, width {c.HiddenSize}, {c.NumHeads} heads, patch {c.PatchSize}, {input}{(vaeDecoder is null ? "" : " latents of a VAE trained with `ditml train-vae`")}, learned variance; {DitML.Models.DiTComplexity.Parameters(c):N0} parameters, {DitML.Models.DiTComplexity.Gflops(c):F3} Gflops) trained with DitML on this machine (2 cores, no GPU), with the official recipe (AdamW, EMA, class dropout 0.1, hybrid loss, random flips{(vaeDecoder is null ? "" : " cached in the latents")})."));
card.AppendLine();
card.AppendLine("| | |");
card.AppendLine("|---|---|");
card.AppendLine(string.Create(inv, $"| training | `ditml train --data fashion-mnist{(vaeDecoder is null ? "" : " --vae runs/vae/vae.safetensors")} --depth {c.Depth} --hidden-size {c.HiddenSize} --heads {c.NumHeads} --patch {c.PatchSize} --batch {trainer.BatchSize} --lr {trainer.Optimizer.LearningRate} --ema {trainer.EmaDecay} --steps {step} --out {run}` (resumed with `--resume` after any interruption) |"));
card.AppendLine(string.Create(inv, $"| steps | {step:N0} of batch {trainer.BatchSize} ({step * trainer.BatchSize / 60000.0:F1} epochs) |"));
card.AppendLine(string.Create(inv, $"| wall time | {hours:F1} h of training (from the log's speeds; the machine was shared with other work) |"));
card.AppendLine(string.Create(inv, $"| final loss | {finalLoss:F4} (mean of the last 10 log lines) |"));
card.AppendLine(string.Create(inv, $"| packaging | `dotnet run -c Release --project examples/FashionMnistDiT -- --run {run} --per-class {perClass} --cfg {string.Join(',', scales.Select(s => s.ToString(inv)))}{(vaeDecoder is null ? "" : " --vae-decoder runs/vae/vae-decoder.onnx --out " + outDir)}` |"));
card.AppendLine(string.Create(inv, $"| default guidance | {best.Scale} ({(eligible.Count > 0 ? "best FID among the scales with ≥ 85% class accuracy" : "the highest class accuracy: no scale reached 85%")}), stored in `model.onnx`'s metadata |"));
card.AppendLine();
if (args.Contains("--history"))
{
    // The run's history the checkpoint cannot tell (what it was fine-tuned from, how the settings changed, its curve).
    card.AppendLine(File.ReadAllText(Arg("--history", "")).TrimEnd());
    card.AppendLine();
}
card.AppendLine(string.Create(inv, $"Evaluation: DPM-Solver++(2M), 20 steps, {perClass} samples per class (seeds 0…{labels.Length - 1}); class accuracy and FID from the project's classifier (`classifier.onnx`, 256-d features) against the 10,000 test images' statistics (`test-stats.npz`){(vaeDecoder is null ? "" : "; latent samples are decoded by `vae-decoder.onnx` first")}."));
card.AppendLine();
card.AppendLine("| guidance | class accuracy | FID (classifier features) | sampling time |");
card.AppendLine("|---|---|---|---|");
foreach (var r in rows) card.AppendLine(string.Create(inv, $"| {r.Scale} | {r.Accuracy:P1} | {r.Fid:F2} | {r.Seconds:F0} s for {labels.Length} images |"));
card.AppendLine(string.Create(inv, $"| real training images, {perClass} per class (the floor at this sample count) | {realAccuracy:P1} | {realFid:F2} | |"));
card.AppendLine();
if (vaeDecoder is null)
{
    card.AppendLine("![samples](samples.png)");
    card.AppendLine();
    card.AppendLine("`samples.png`: a row per class (T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot) at the default guidance, as `examples/QuickStart` draws it.");
    card.AppendLine();
}
card.AppendLine(string.Create(inv, $"Files: `model.onnx` (input x (N, {c.InChannels}, {c.InputSize}, {c.InputSize}), t (N), y (N); the sampler reads config, schedule and guidance from its metadata), `ema.safetensors` (load with `DiTCheckpoint.Load`){(vaeDecoder is null ? "" : ", `vae-decoder.onnx` (latents → pixels; give it as `--vae-decoder` or `VaeDecoderPath`)")}."));
File.WriteAllText(Path.Combine(outDir, "model.md"), card.ToString());
Console.WriteLine(string.Create(inv, $"wrote {outDir}: model.onnx (guidance {best.Scale}), ema.safetensors{(vaeDecoder is null ? "" : ", vae-decoder.onnx")}, model.md"));
return 0;

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
