using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DitML.Checkpoints;
using DitML.Cli.Plots;
using DitML.Data;
using DitML.DiffiT;
using DitML.Models;
using DitML.Onnx;
using DitML.Training;

namespace DitML.Cli.Commands;

/// <summary>
/// Image-space DiffiT (an EDM model) in `info`, `train` and `export-onnx`: each command hands over to these when its
/// --model names an image DiffiT preset (DiffiT-CIFAR10, DiffiT-FFHQ64) or its file holds one. `sample` needs nothing
/// here: the exported model's metadata makes DiffusionGenerator use EDM's Heun sampler.
/// </summary>
internal static class ImageDiffiTCommands
{
    private static readonly Option<int?> Window = new("--window") { Description = "Image DiffiT: TMSA window side (must divide every stage's resolution; 28×28 data: 7)." };
    private static readonly Option<string?> StageChannels = new("--stage-channels") { Description = "Image DiffiT: widths of the stages, comma-separated (the preset's: 128,256,256)." };
    private static readonly Option<string?> Blocks = new("--blocks") { Description = "Image DiffiT: ResBlocks per stage, comma-separated (the preset's: 2,2,2)." };
    private static readonly Option<int?> HeadDim = new("--head-dim") { Description = "Image DiffiT: channels per attention head (64)." };
    private static readonly Option<int?> Groups = new("--groups") { Description = "Image DiffiT: GroupNorm groups (32)." };
    private static readonly Option<int?> TimeWidth = new("--time-width") { Description = "Image DiffiT: width of the time token (512)." };

    /// <summary>Adds the image DiffiT overrides to `train`.</summary>
    public static void AddTrainOptions(Command command)
    {
        foreach (var o in new Option[] { Window, StageChannels, Blocks, HeadDim, Groups, TimeWidth }) command.Options.Add(o);
    }

    /// <summary>Refuses the image DiffiT overrides on a DiT run (they would be silently ignored).</summary>
    public static void RefuseForDiT(ParseResult parse)
    {
        if (new Option[] { Window, StageChannels, Blocks, HeadDim, Groups, TimeWidth }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } o)
            throw new ArgumentException($"{o.Name} applies to image DiffiT (--model DiffiT-CIFAR10 or DiffiT-FFHQ64), not to a DiT");
    }

    /// <summary>True when `train` is about an image DiffiT: its --model names one, or the run it resumes is one.</summary>
    public static bool TrainApplies(string? model, bool resuming, string run) =>
        ImageDiffiTConfig.IsImageDiffiTName(model) || (resuming && model is null && EdmTrainer.IsEdmRun(run));

    /// <summary>
    /// `ditml train --model DiffiT-CIFAR10`: the preset adapted to the data (its size, channels and classes: the model is
    /// class-conditional when the data has classes) with the overrides given, trained with EDM.
    /// </summary>
    public static int Train(ParseResult parse, DataOptions dataOptions, string? model, TrainerOptions fresh, string run, bool resuming,
        IReadOnlyList<Option> dropped, TextWriter output, TextWriter error)
    {
        if (dropped.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } other)
            throw new ArgumentException($"{other.Name} does not apply to image DiffiT (an EDM model trained on pixels); drop it");
        if (resuming && parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name is "--batch" or "--lr" or "--lr-warmup" or "--lr-decay" or "--lr-decay-start" or "--lr-final" or "--ema" or "--seed" or "--clip" or "--no-flip"
            or "--log-every" or "--checkpoint-every" && parse.GetResult(o) is { Implicit: false }) is { } changed)
            throw new ArgumentException($"an image DiffiT run resumes with its stored settings: only --steps may change, not {changed.Name}");
        var dataset = dataOptions.Open(parse);
        using var stop = new StopSignals(error);
        using var trainer = resuming
            ? EdmTrainer.Resume(run, dataset, parse.GetResult(parse.CommandResult.Command.Options.First(o => o.Name == "--steps")) is { Implicit: false } ? fresh.Steps : null)
            : EdmTrainer.Create(Config(parse, model!, dataset), dataset, fresh, run);
        var cfg = trainer.Model.Config;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training {cfg.Name ?? "image DiffiT"} with EDM: stages {string.Join("/", Enumerable.Range(0, cfg.Stages).Select(cfg.Resolution))} at {string.Join("/", cfg.StageChannels)} channels, blocks {string.Join(",", cfg.BlocksPerStage)}, window {cfg.WindowSize} ({ImageDiffiTComplexity.Parameters(cfg):N0} parameters) on {dataset.Count} images from step {trainer.Step} to {trainer.Options.Steps}"));
        using var bar = new ProgressBar(error, "training", (int)(trainer.Options.Steps - trainer.Step));
        string curve = Path.Combine(run, LossCurve.FileName);
        long done;
        try
        {
            done = trainer.Run(new BarProgress(bar), stop.Token);
        }
        catch (TrainingFailedException e)
        {
            LossCurve.Write(Path.Combine(run, TrainingLog.FileName), curve);
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
        bool plotted = LossCurve.Write(Path.Combine(run, TrainingLog.FileName), curve);
        output.WriteLine($"stopped at step {done}; wrote {Path.Combine(run, TrainingCheckpoint.FileName)}, {Path.Combine(run, TrainingCheckpoint.EmaFileName)}" + (plotted ? $" and {curve}" : ""));
        return stop.Requested ? 130 : 0;
    }

    /// <summary>The preset fitted to the data, with the overrides given; validated before anything is written.</summary>
    private static ImageDiffiTConfig Config(ParseResult parse, string name, IImageDataset data)
    {
        if (data.Height != data.Width) throw new ArgumentException($"image DiffiT takes square images; the data is {data.Height}×{data.Width}");
        var preset = ImageDiffiTConfig.FromName(name);
        var config = preset with
        {
            ImageSize = data.Height,
            InChannels = data.Channels,
            NumClasses = data.ClassCount > 1 ? data.ClassCount : 0,
            WindowSize = parse.GetValue(Window) ?? preset.WindowSize,
            StageChannels = parse.GetValue(StageChannels) is { } sc ? Ints(sc, StageChannels.Name) : preset.StageChannels,
            BlocksPerStage = parse.GetValue(Blocks) is { } b ? Ints(b, Blocks.Name) : preset.BlocksPerStage,
            HeadDim = parse.GetValue(HeadDim) ?? preset.HeadDim,
            GroupNormGroups = parse.GetValue(Groups) ?? preset.GroupNormGroups,
            TimeEmbedDim = parse.GetValue(TimeWidth) ?? preset.TimeEmbedDim,
        };
        try
        {
            return config.Validate();
        }
        catch (ArgumentException e)
        {
            string hint = e.ParamName == nameof(ImageDiffiTConfig.WindowSize) ? " Give --window: a side that divides every stage's resolution (7 for 28×28 data: 7×7 windows at 28 and 14, global at 7)." : "";
            string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            throw new ArgumentException($"{name} on {data.Channels}×{data.Height}×{data.Width} data: {message}{hint}", e);
        }
    }

    private static int[] Ints(string text, string option) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
            : throw new ArgumentException($"{option} takes positive integers separated by commas, got '{text}'")).ToArray();

    /// <summary>`ditml info --model DiffiT-CIFAR10`: the preset's structure, parameter count and Gflops of one network evaluation (its own channels and classes unless given).</summary>
    public static void Info(ParseResult parse, ModelOptions model, string name, bool json, TextWriter o)
    {
        bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
        var c = ImageDiffiTConfig.FromName(name, Given(model.InChannels) ? parse.GetValue(model.InChannels) : null, Given(model.NumClasses) ? parse.GetValue(model.NumClasses) : null);
        if (Given(model.ImageSize) || Given(model.InputSize) || parse.GetValue(model.Tmsa) || Given(model.Conditioning) || parse.GetValue(model.FixedVariance))
            throw new ArgumentException($"{name} is image-space DiffiT: its size is the paper's ({c.ImageSize}²) and --image-size, --input-size, --tmsa, --conditioning and --fixed-variance do not apply");
        long parameters = ImageDiffiTComplexity.Parameters(c);
        if (json)
        {
            o.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["model"] = c.Name ?? name,
                ["family"] = "image-diffit",
                ["parameters"] = parameters,
                ["gflops"] = Math.Round(ImageDiffiTComplexity.Gflops(c), 4),
                ["config"] = JsonDocument.Parse(c.ToJson()).RootElement,
            }, new JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine($"model          {c.Name ?? name} (image-space DiffiT: U-shaped, window TMSA, EDM)");
        o.WriteLine($"input          {c.InChannels}×{c.ImageSize}×{c.ImageSize} pixels");
        for (int s = 0; s < c.Stages; s++)
            o.WriteLine($"stage {s}        {c.Resolution(s)}×{c.Resolution(s)} × {c.StageChannels[s]} channels, {c.BlocksPerStage[s]} + {c.BlocksPerStage[s]} ResBlocks (encoder + decoder), {c.Heads(c.StageChannels[s])} heads, {c.WindowSize}×{c.WindowSize} windows");
        o.WriteLine($"time token     {c.TimeEmbedDim} wide{(c.Conditional ? $", + label of {c.NumClasses} classes{(c.ClassDropoutProb > 0 ? " + null class" : "")}" : " (unconditional)")}");
        o.WriteLine(string.Create(inv, $"parameters     {parameters:N0}"));
        o.WriteLine(string.Create(inv, $"Gflops         {ImageDiffiTComplexity.Gflops(c):F2}  (multiply-accumulates, as DiT's; one evaluation of F, a Heun step takes two)"));
    }

    /// <summary>`ditml export-onnx` of an image DiffiT checkpoint (ema.safetensors or a run's checkpoint.safetensors).</summary>
    public static void Export(string checkpoint, CheckpointWeights weights, double? guidance, string[]? classNames, string outPath, TextWriter output)
    {
        var (model, edm) = ImageDiffiTCheckpoint.Load(checkpoint, weights);
        using (model)
        {
            var onnx = ImageDiffiTOnnxExporter.Export(model, edm, new ImageDiffiTOnnxExportOptions { GuidanceScale = guidance ?? 1.0, ClassNames = classNames });
            onnx.Save(outPath);
            var c = model.Config;
            output.WriteLine($"wrote {outPath}: {c.Name ?? "image DiffiT"} ({c.InChannels}×{c.ImageSize}×{c.ImageSize}, {(c.Conditional ? $"{c.NumClasses} classes" : "unconditional")}, EDM denoiser with σ input), {onnx.NodeCount} nodes, {onnx.InitializerBytes / 1e6:F1} MB of weights");
        }
    }

    /// <summary>True when <paramref name="checkpoint"/> holds an image DiffiT (its metadata names one).</summary>
    public static bool IsImageDiffiT(string checkpoint) =>
        File.Exists(checkpoint) && CheckpointFile.DetectFormat(checkpoint) == CheckpointFormat.SafeTensors
        && SafeTensorsFile.ReadMetadata(checkpoint).ContainsKey(ImageDiffiTOnnxMetadata.Config);

    private sealed class BarProgress(ProgressBar bar) : IProgress<TrainingProgress>
    {
        private long last;

        public void Report(TrainingProgress value)
        {
            bar.Advance((int)(value.Step - last), string.Create(CultureInfo.InvariantCulture, $"EDM loss {value.Loss:F4}  {value.StepsPerSecond:F2} steps/s"));
            last = value.Step;
        }
    }
}
