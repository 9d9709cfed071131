using System.CommandLine;
using System.Globalization;
using DitML.Cli.Plots;
using DitML.Data;
using DitML.Models;
using DitML.Precision;
using DitML.Training;
using DitML.Vae;
using DitML.Dit;
using DitML.DiffiT;

namespace DitML.Cli.Commands;

/// <summary>
/// `ditml train`: train a DiT or a latent DiffiT (<c>--model DiffiT-S/2</c>, or <c>--family diffit</c> with a free
/// config) on Fashion-MNIST/MNIST IDX files or an image folder, in pixel space or (with --vae) on latents cached once in
/// the run folder; resumes exactly; Ctrl+C writes a checkpoint.
/// </summary>
internal static class TrainCommand
{
    /// <summary>The latent cache a latent run trains on, in its run folder.</summary>
    public const string LatentCacheFileName = "latents.safetensors";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var dataOptions = new DataOptions();
        var model = new Option<string?>("--model", "-m") { Description = "Paper config (e.g. DiT-S/4, or latent DiffiT: DiffiT-S/4); or give --depth/--hidden-size/--heads/--patch (and --family) for a free config." };
        var family = new Option<string>("--family") { Description = "Free config: dit (adaLN-Zero DiT) or diffit (latent DiffiT's TMSA blocks, no adaLN).", DefaultValueFactory = _ => "dit" }
            .AcceptOnlyFromAmong("dit", "diffit");
        var depth = new Option<int>("--depth") { Description = "Free config: blocks.", DefaultValueFactory = _ => 6 };
        var width = new Option<int>("--hidden-size") { Description = "Free config: width.", DefaultValueFactory = _ => 192 };
        var heads = new Option<int>("--heads") { Description = "Free config: heads.", DefaultValueFactory = _ => 3 };
        var patch = new Option<int>("--patch") { Description = "Free config: patch size (must divide the image size).", DefaultValueFactory = _ => 4 };
        var steps = new Option<long>("--steps") { Description = "Optimizer steps to reach.", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int>("--batch") { Description = "Images per step.", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate.", DefaultValueFactory = _ => 1e-4 };
        var warmup = new Option<long>("--lr-warmup") { Description = "Learning-rate warm-up: steps over which the rate rises linearly to --lr (0: none, the recipe).", DefaultValueFactory = _ => 0 };
        var decay = new Option<string>("--lr-decay") { Description = "Learning-rate decay after --lr-decay-start: none (the recipe), cosine or linear, reaching --lr-final × --lr at the last step.", DefaultValueFactory = _ => "none" }
            .AcceptOnlyFromAmong("none", "cosine", "linear");
        var decayStart = new Option<long>("--lr-decay-start") { Description = "The step the decay starts from (0: the whole run; later: constant, then a cool-down).", DefaultValueFactory = _ => 0 };
        var finalFraction = new Option<double>("--lr-final") { Description = "The fraction of --lr the decay ends at, in [0, 1).", DefaultValueFactory = _ => 0 };
        var emaDecay = new Option<double>("--ema") { Description = "EMA decay.", DefaultValueFactory = _ => 0.9999 };
        var seed = new Option<long>("--seed") { Description = "Seed of everything random.", DefaultValueFactory = _ => 0 };
        var clip = new Option<double?>("--clip") { Description = "Clip the gradient norm (off by default, as the recipe)." };
        var noFlip = new Option<bool>("--no-flip") { Description = "Do not flip images horizontally." };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Run folder (checkpoint, ema.safetensors, log.jsonl, loss.png).", Required = true };
        var logEvery = new Option<int>("--log-every") { Description = "Steps between log lines (log.jsonl).", DefaultValueFactory = _ => 50 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out exactly where it stopped, toward its stored target (or --steps). Settings that differ from the stored run are refused unless --override lists them." };
        var overrides = new Option<string[]>("--override") { Description = "On --resume: the settings allowed to differ from the stored run, comma-separated (data, batch, lr (the rate and its schedule), ema, seed, clip, flip, precision).", AllowMultipleArgumentsPerToken = true };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints (also every 10 minutes, at the end, on Ctrl+C and when a step fails).", DefaultValueFactory = _ => 500 };
        var init = new Option<FileInfo?>("--init") { Description = "Fine-tune: start from these weights (official DiT .pt/.safetensors, latent DiffiT's diffit_256.safetensors, or a DitML checkpoint; the EMA weights when present), with a fresh optimizer; the architecture and family are the file's." };
        var resumeFrom = new Option<FileInfo?>("--resume-from") { Description = "Continue an official DiT training checkpoint {model, ema, opt, args} (train.py's, or `ditml convert`'s) in a new run folder --out: weights, EMA, AdamW moments, step and lr from the file." };
        var numClasses = new Option<int?>("--num-classes") { Description = "With --init: the number of classes of the new model (a new label table when it differs from the file's; the rest is kept)." };
        var precision = new Option<string>("--precision") { Description = "Compute precision: fp32, or bf16 (bfloat16 matmuls, attention and convolutions; float32 weights, AdamW moments, EMA and loss). Stored with the run: a resume keeps it unless --override precision.", DefaultValueFactory = _ => "fp32" };
        precision.AcceptOnlyFromAmong([.. ComputePrecisionNames.All]);
        var vae = new Option<FileInfo?>("--vae") { Description = "Train on latents of this VAE (a ditml train-vae vae.safetensors, or SD's): every image is encoded once, with its mirror unless --no-flip, into the run folder's latents.safetensors." };
        var command = new Command("train", "Train a class-conditional DiT or latent DiffiT with the official DiT recipe (AdamW, EMA, class dropout, hybrid loss). Ctrl+C or SIGTERM writes a checkpoint; --resume continues exactly.");
        dataOptions.AddTo(command);
        foreach (var o in new Option[] { model, family, depth, width, heads, patch, steps, batch, lr, warmup, decay, decayStart, finalFraction, emaDecay, seed, clip, noFlip, outDir, logEvery, resume, overrides, checkpointEvery, init, numClasses, vae, resumeFrom, precision }) command.Options.Add(o);
        ImageDiffiTCommands.AddTrainOptions(command);
        command.SetAction(parse =>
        {
            string run = parse.GetValue(outDir)!.FullName;
            string cache = Path.Combine(run, LatentCacheFileName);
            var vaeFile = parse.GetValue(vae);
            bool resuming = parse.GetValue(resume);
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            if (!resuming && Given(overrides)) throw new ArgumentException("--override only applies with --resume");
            var initFile = parse.GetValue(init);
            if (initFile != null && resuming) throw new ArgumentException("--init starts a new run; --resume continues one: give one of them");
            if (Given(numClasses) && initFile == null) throw new ArgumentException("--num-classes applies with --init (a new model takes the data's classes)");
            if (initFile != null && new Option[] { model, family, depth, width, heads, patch }.FirstOrDefault(Given) is { } architecture)
                throw new ArgumentException($"--init takes the architecture from {initFile.FullName}; drop {architecture.Name}");
            var official = parse.GetValue(resumeFrom);
            if (official != null && (resuming || initFile != null)) throw new ArgumentException("--resume-from starts a run folder from an official checkpoint; drop --resume / --init");
            if (official != null && new Option[] { model, family, depth, width, heads, patch, lr }.FirstOrDefault(Given) is { } fromFile)
                throw new ArgumentException($"--resume-from takes the architecture and the optimizer from {official.FullName}; drop {fromFile.Name}");
            if (Given(family) && parse.GetValue(model) is { } named)
                throw new ArgumentException($"--family chooses the family of a free config; --model {named} names its own: drop one");
            if (official != null && !official.Exists) throw new FileNotFoundException($"--resume-from: {official.FullName} does not exist", official.FullName);
            // Every setting is checked before anything is written, so a bad one leaves no run folder.
            var fresh = new TrainerOptions
            {
                Steps = parse.GetValue(steps),
                BatchSize = parse.GetValue(batch),
                Optimizer = new AdamWOptions { LearningRate = parse.GetValue(lr) },
                Schedule = new LearningRateSchedule
                {
                    WarmupSteps = parse.GetValue(warmup), Decay = Enum.Parse<LearningRateDecay>(parse.GetValue(decay)!, ignoreCase: true),
                    DecayStartStep = parse.GetValue(decayStart), FinalFraction = parse.GetValue(finalFraction),
                },
                EmaDecay = parse.GetValue(emaDecay),
                Seed = parse.GetValue(seed),
                GradientClip = parse.GetValue(clip),
                HorizontalFlip = !parse.GetValue(noFlip),
                LogEvery = parse.GetValue(logEvery),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                Precision = ComputePrecisionNames.Parse(parse.GetValue(precision)!),
            }.Validate();
            if (ImageDiffiTCommands.TrainApplies(parse.GetValue(model), resuming, run))
                return ImageDiffiTCommands.Train(parse, dataOptions, parse.GetValue(model), fresh, run, resuming, [family, depth, width, heads, patch, overrides, vae], output, error);
            ImageDiffiTCommands.RefuseForDiT(parse);
            if (vaeFile != null && !resuming)
                BuildLatentCache(dataOptions.Open(parse), vaeFile, run, cache, !parse.GetValue(noFlip), parse.GetValue(seed), error);
            bool latent = File.Exists(cache) && (vaeFile != null || resuming);
            var dataset = latent ? LatentCache.Open(cache) : dataOptions.Open(parse);
            if (official != null)
            {
                long at = OfficialTrainingCheckpoint.Import(official.FullName, run, fresh with { HorizontalFlip = fresh.HorizontalFlip && !latent });
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"continuing {official.FullName} at step {at} in {run}"));
                resuming = true;
            }
            using var stop = new StopSignals(error);
            using var trainer = resuming
                ? DiTTrainer.Resume(run, dataset, Resume(parse, Given, overrides, dataset))
                : initFile != null
                ? DiTTrainer.FineTune(initFile.FullName, dataset, fresh with { HorizontalFlip = fresh.HorizontalFlip && !latent }, run, parse.GetValue(numClasses))
                : IsDiffiT(parse, parse.GetValue(model))
                ? DiTTrainer.Create(DiffiTConfig(parse, dataset, parse.GetValue(model)), dataset, fresh with { HorizontalFlip = fresh.HorizontalFlip && !latent }, run)
                : DiTTrainer.Create(Config(parse, dataset, parse.GetValue(model)), dataset, fresh with
                {
                    HorizontalFlip = fresh.HorizontalFlip && !latent,          // a latent cache holds the mirrored images
                }, run);
            if (trainer.InitializedFrom is { } from)
                output.WriteLine($"fine-tuning from {from} (weights only: a fresh optimizer, EMA and step count)");
            if (trainer.StoredTarget is { } stored && stored != trainer.Options.Steps)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"--steps changes the run's target from {stored} to {trainer.Options.Steps} steps"));
            if (trainer.Step >= trainer.Options.Steps)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the run has already reached its target of {trainer.Options.Steps} steps; give --steps to train further"));
            string what = trainer.Network switch
            {
                LatentDiffiT d => string.Create(CultureInfo.InvariantCulture,
                    $"{d.Config.Name ?? "latent DiffiT"} depth {d.Config.Depth}, width {d.Config.HiddenSize}, patch {d.Config.PatchSize} ({LatentDiffiTComplexity.Parameters(d.Config):N0} parameters)"),
                _ => string.Create(CultureInfo.InvariantCulture, $"{trainer.Model.Config.Name ?? "DiT"} depth {trainer.Model.Config.Depth}, width {trainer.Model.Config.HiddenSize}, patch {trainer.Model.Config.PatchSize} ({DiTComplexity.Parameters(trainer.Model.Config):N0} parameters, {DiTComplexity.Gflops(trainer.Model.Config):F3} Gflops)"),
            };
            if (NativeBf16.WarningFor(trainer.Options.Precision) is { } slow) error.WriteLine($"warning: {slow}");
            string rate = trainer.Options.Schedule == new LearningRateSchedule() ? "" : $" ({trainer.Options.Schedule})";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training {what} in {ComputePrecisionNames.Format(trainer.Options.Precision)} on {dataset.Count} images from step {trainer.Step} to {trainer.Options.Steps}, lr {trainer.Options.Optimizer.LearningRate}{rate}"));
            using var bar = new ProgressBar(error, "training", (int)(trainer.Options.Steps - trainer.Step));
            long done;
            string curve = Path.Combine(run, LossCurve.FileName);
            try
            {
                done = trainer.Run(new Progress(bar), stop.Token);
            }
            catch (TrainingFailedException e)
            {
                LossCurve.Write(Path.Combine(run, "log.jsonl"), curve);
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
            bool plotted = LossCurve.Write(Path.Combine(run, "log.jsonl"), curve);
            output.WriteLine($"stopped at step {done}; wrote {Path.Combine(run, TrainingCheckpoint.FileName)}, {Path.Combine(run, TrainingCheckpoint.EmaFileName)}" + (plotted ? $" and {curve}" : ""));
            if (latent) output.WriteLine("a latent model: sample it with --vae-decoder (the VAE's decoder exported to ONNX, e.g. train-vae's vae-decoder.onnx)");
            return stop.Requested ? 130 : 0;
        });
        return command;
    }

    /// <summary>The settings given on a resume: each one the user typed is checked against the stored run.</summary>
    private static ResumeOptions Resume(ParseResult parse, Func<Option, bool> given, Option<string[]> overrides, IImageDataset dataset)
    {
        T? If<T>(string name) where T : struct
        {
            var option = (Option<T>)parse.CommandResult.Command.Options.First(o => o.Name == name);
            return given(option) ? parse.GetValue(option) : null;
        }
        int? depth = If<int>("--depth"), width = If<int>("--hidden-size"), heads = If<int>("--heads"), patch = If<int>("--patch");
        if (parse.GetValue<string?>("--model") is { } name)
        {
            if (LatentDiffiTConfig.IsDiffiTName(name))
            {
                var named = LatentDiffiTConfig.FromName(name, dataset.Height, dataset.Channels, dataset.ClassCount);
                (depth, width, heads, patch) = (named.Depth, named.HiddenSize, named.NumHeads, named.PatchSize);
            }
            else
            {
                var named = DiTConfig.FromName(name, dataset.Height, dataset.Channels, dataset.ClassCount);
                (depth, width, heads, patch) = (named.Depth, named.HiddenSize, named.NumHeads, named.PatchSize);
            }
        }
        var clipOption = (Option<double?>)parse.CommandResult.Command.Options.First(o => o.Name == "--clip");
        bool noFlipGiven = given(parse.CommandResult.Command.Options.First(o => o.Name == "--no-flip"));
        var precisionOption = (Option<string>)parse.CommandResult.Command.Options.First(o => o.Name == "--precision");
        var decayOption = (Option<string>)parse.CommandResult.Command.Options.First(o => o.Name == "--lr-decay");
        return new ResumeOptions
        {
            Steps = If<long>("--steps"),
            Depth = depth, HiddenSize = width, NumHeads = heads, PatchSize = patch,
            BatchSize = If<int>("--batch"),
            LearningRate = If<double>("--lr"),
            WarmupSteps = If<long>("--lr-warmup"),
            Decay = given(decayOption) ? Enum.Parse<LearningRateDecay>(parse.GetValue(decayOption)!, ignoreCase: true) : null,
            DecayStartStep = If<long>("--lr-decay-start"),
            FinalFraction = If<double>("--lr-final"),
            EmaDecay = If<double>("--ema"),
            Seed = If<long>("--seed"),
            ClipGiven = given(clipOption),
            GradientClip = parse.GetValue(clipOption),
            HorizontalFlip = noFlipGiven ? !parse.GetValue<bool>("--no-flip") : null,
            LogEvery = If<int>("--log-every"),
            CheckpointEvery = If<int>("--checkpoint-every"),
            Precision = given(precisionOption) ? ComputePrecisionNames.Parse(parse.GetValue(precisionOption)!) : null,
            Overrides = (parse.GetValue(overrides) ?? []).SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(o => o.TrimStart('-')).ToHashSet(StringComparer.Ordinal),
        };
    }

    private static DiTConfig Config(ParseResult parse, IImageDataset dataset, string? name)
    {
        if (name != null) return DiTConfig.FromName(name, dataset.Height, dataset.Channels, dataset.ClassCount);
        var (depth, width, heads, patch) = FreeSizes(parse);
        return new DiTConfig
        {
            InputSize = dataset.Height, InChannels = dataset.Channels, NumClasses = dataset.ClassCount,
            Depth = depth, HiddenSize = width, NumHeads = heads, PatchSize = patch,
        }.Validate();
    }

    /// <summary>A free config's sizes: --depth, --hidden-size, --heads, --patch.</summary>
    private static (int Depth, int HiddenSize, int NumHeads, int PatchSize) FreeSizes(ParseResult parse) =>
        (parse.GetValue<int>("--depth"), parse.GetValue<int>("--hidden-size"), parse.GetValue<int>("--heads"), parse.GetValue<int>("--patch"));

    private static bool IsDiffiT(ParseResult parse, string? name) =>
        name != null ? LatentDiffiTConfig.IsDiffiTName(name) : parse.GetValue<string>("--family") == "diffit";

    /// <summary>A latent DiffiT preset at the data's size, channels and classes, or the free config's sizes.</summary>
    private static LatentDiffiTConfig DiffiTConfig(ParseResult parse, IImageDataset dataset, string? name)
    {
        if (name != null) return LatentDiffiTConfig.FromName(name, dataset.Height, dataset.Channels, dataset.ClassCount);
        var (depth, width, heads, patch) = FreeSizes(parse);
        return new LatentDiffiTConfig
        {
            InputSize = dataset.Height, InChannels = dataset.Channels, NumClasses = dataset.ClassCount,
            Depth = depth, HiddenSize = width, NumHeads = heads, PatchSize = patch,
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
