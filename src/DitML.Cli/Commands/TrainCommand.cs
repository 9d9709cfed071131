using System.CommandLine;
using System.Globalization;
using DitML.Cli.Plots;
using DitML.Data;
using DitML.Models;
using DitML.Training;
using DitML.Vae;
using DitML.Dit;

namespace DitML.Cli.Commands;

/// <summary>
/// `ditml train`: train a DiT on Fashion-MNIST/MNIST IDX files or an image folder, in pixel space or (with --vae) on
/// latents cached once in the run folder; resumes exactly; Ctrl+C writes a checkpoint.
/// </summary>
internal static class TrainCommand
{
    /// <summary>The latent cache a latent run trains on, in its run folder.</summary>
    public const string LatentCacheFileName = "latents.safetensors";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var dataOptions = new DataOptions();
        var model = new Option<string?>("--model", "-m") { Description = "Paper config (e.g. DiT-S/4); or give --depth/--hidden-size/--heads/--patch for a free config." };
        var depth = new Option<int>("--depth") { Description = "Free config: blocks.", DefaultValueFactory = _ => 6 };
        var width = new Option<int>("--hidden-size") { Description = "Free config: width.", DefaultValueFactory = _ => 192 };
        var heads = new Option<int>("--heads") { Description = "Free config: heads.", DefaultValueFactory = _ => 3 };
        var patch = new Option<int>("--patch") { Description = "Free config: patch size (must divide the image size).", DefaultValueFactory = _ => 4 };
        var steps = new Option<long>("--steps") { Description = "Optimizer steps to reach.", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int>("--batch") { Description = "Images per step.", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate.", DefaultValueFactory = _ => 1e-4 };
        var emaDecay = new Option<double>("--ema") { Description = "EMA decay.", DefaultValueFactory = _ => 0.9999 };
        var seed = new Option<long>("--seed") { Description = "Seed of everything random.", DefaultValueFactory = _ => 0 };
        var clip = new Option<double?>("--clip") { Description = "Clip the gradient norm (off by default, as the recipe)." };
        var noFlip = new Option<bool>("--no-flip") { Description = "Do not flip images horizontally." };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Run folder (checkpoint, ema.safetensors, log.jsonl, loss.png).", Required = true };
        var logEvery = new Option<int>("--log-every") { Description = "Steps between log lines (log.jsonl).", DefaultValueFactory = _ => 50 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out exactly where it stopped." };
        var vae = new Option<FileInfo?>("--vae") { Description = "Train on latents of this VAE (a ditml train-vae vae.safetensors, or SD's): every image is encoded once, with its mirror unless --no-flip, into the run folder's latents.safetensors." };
        var command = new Command("train", "Train a class-conditional DiT with the official recipe (AdamW, EMA, class dropout, hybrid loss). Ctrl+C or SIGTERM writes a checkpoint; --resume continues exactly.");
        dataOptions.AddTo(command);
        foreach (var o in new Option[] { model, depth, width, heads, patch, steps, batch, lr, emaDecay, seed, clip, noFlip, outDir, logEvery, resume, vae }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string run = parse.GetValue(outDir)!.FullName;
            string cache = Path.Combine(run, LatentCacheFileName);
            var vaeFile = parse.GetValue(vae);
            if (vaeFile != null && !parse.GetValue(resume))
                BuildLatentCache(dataOptions.Open(parse), vaeFile, run, cache, !parse.GetValue(noFlip), parse.GetValue(seed), error);
            bool latent = File.Exists(cache) && (vaeFile != null || parse.GetValue(resume));
            var dataset = latent ? LatentCache.Open(cache) : dataOptions.Open(parse);
            using var stop = new StopSignals(error);
            using var trainer = parse.GetValue(resume)
                ? DiTTrainer.Resume(run, dataset, parse.GetValue(steps))
                : DiTTrainer.Create(Config(parse, dataset, parse.GetValue(model)), dataset, new TrainerOptions
                {
                    Steps = parse.GetValue(steps),
                    BatchSize = parse.GetValue(batch),
                    Optimizer = new AdamWOptions { LearningRate = parse.GetValue(lr) },
                    EmaDecay = parse.GetValue(emaDecay),
                    Seed = parse.GetValue(seed),
                    GradientClip = parse.GetValue(clip),
                    HorizontalFlip = !parse.GetValue(noFlip) && !latent,          // a latent cache holds the mirrored images
                    LogEvery = parse.GetValue(logEvery),
                }, run);
            var cfg = trainer.Model.Config;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"training {cfg.Name ?? "DiT"} depth {cfg.Depth}, width {cfg.HiddenSize}, patch {cfg.PatchSize} ({DiTComplexity.Parameters(cfg):N0} parameters, {DiTComplexity.Gflops(cfg):F3} Gflops) on {dataset.Count} images from step {trainer.Step} to {trainer.Options.Steps}"));
            using var bar = new ProgressBar(error, "training", (int)(trainer.Options.Steps - trainer.Step));
            long done = trainer.Run(new Progress(bar), stop.Token);
            string curve = Path.Combine(run, LossCurve.FileName);
            bool plotted = LossCurve.Write(Path.Combine(run, "log.jsonl"), curve);
            output.WriteLine($"stopped at step {done}; wrote {Path.Combine(run, TrainingCheckpoint.FileName)}, {Path.Combine(run, TrainingCheckpoint.EmaFileName)}" + (plotted ? $" and {curve}" : ""));
            if (latent) output.WriteLine("a latent model: sample it with --vae-decoder (the VAE's decoder exported to ONNX, e.g. train-vae's vae-decoder.onnx)");
            return stop.Requested ? 130 : 0;
        });
        return command;
    }

    private static DiTConfig Config(ParseResult parse, IImageDataset dataset, string? name)
    {
        if (name != null) return DiTConfig.FromName(name, dataset.Height, dataset.Channels, dataset.ClassCount);
        return new DiTConfig
        {
            InputSize = dataset.Height,
            InChannels = dataset.Channels,
            NumClasses = dataset.ClassCount,
            Depth = parse.GetValue<int>("--depth"),
            HiddenSize = parse.GetValue<int>("--hidden-size"),
            NumHeads = parse.GetValue<int>("--heads"),
            PatchSize = parse.GetValue<int>("--patch"),
        }.Validate();
    }

    /// <summary>Encodes the training images once with the VAE into the run folder (a fresh run only: a run's cache is never replaced).</summary>
    private static void BuildLatentCache(IImageDataset images, FileInfo vaeFile, string run, string cache, bool flips, long seed, TextWriter error)
    {
        if (File.Exists(Path.Combine(run, TrainingCheckpoint.FileName)))
            throw new ArgumentException($"{run} already holds a run; resume it (--resume) or choose another folder");
        using var model = VaeCheckpoint.Load(vaeFile.FullName);
        Directory.CreateDirectory(run);
        using var bar = new ProgressBar(error, "encoding", images.Count);
        LatentCache.Build(model, images, cache, includeFlips: flips, seed: seed, progress: new Counter(bar));
    }

    /// <summary>Advances a bar to an absolute count, synchronously (unlike Progress&lt;T&gt;).</summary>
    private sealed class Counter(ProgressBar bar) : IProgress<int>
    {
        private int last;

        public void Report(int value)
        {
            bar.Advance(value - last);
            last = value;
        }
    }

    private sealed class Progress(ProgressBar bar) : IProgress<TrainingProgress>
    {
        private long last;

        public void Report(TrainingProgress value)
        {
            bar.Advance((int)(value.Step - last), string.Create(CultureInfo.InvariantCulture, $"loss {value.Loss:F4}  {value.StepsPerSecond:F2} steps/s"));
            last = value.Step;
        }
    }
}
