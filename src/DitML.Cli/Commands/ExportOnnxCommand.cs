using System.CommandLine;
using DitML.Checkpoints;
using DitML.DiffiT;
using DitML.Onnx;
using DitML.Dit;
using DitML.Models;
using DitML.Sampling;

namespace DitML.Cli.Commands;

/// <summary>
/// `ditml export-onnx`: a DiT or latent DiffiT checkpoint to an ONNX model the sampler (and ML.NET) can run without
/// libtorch. The family is the file's (DitML's config key, or DiffiT's <c>qkv_temb</c> weights) or <c>--model</c>'s.
/// </summary>
internal static class ExportOnnxCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "DitML checkpoint (.safetensors with its config), or an official .pt/.safetensors: DiT (then give --model and sizes) or latent DiffiT (diffit_256.safetensors; its config follows from the shapes).", Required = true };
        var outPath = new Option<FileInfo>("--out") { Description = "The .onnx file to write (weights go to <out>.data when over 2 GB).", Required = true };
        var model = new Option<string?>("--model", "-m") { Description = "Paper config name for files without a DitML config, e.g. DiT-XL/2 or DiffiT-XL/2." };
        var inputSize = new Option<int?>("--input-size") { Description = "Spatial size the transformer sees (latent size for latent models)." };
        var inChannels = new Option<int?>("--in-channels") { Description = "Input channels." };
        var numClasses = new Option<int?>("--num-classes") { Description = "Number of classes." };
        var weights = new Option<string>("--weights") { Description = "Training checkpoints: ema (default when present) or model.", DefaultValueFactory = _ => "auto" }
            .AcceptOnlyFromAmong("auto", "ema", "model");
        var space = new Option<string?>("--space") { Description = "latent or pixel (default: pixel for 1 or 3 channels, else latent)." }
            .AcceptOnlyFromAmong("latent", "pixel");
        var guidance = new Option<double?>("--cfg") { Description = "Guidance scale to recommend in the model's metadata (default: DiT 4; latent DiffiT the release's, 4.4 at latent ≤ 32, else 1.49)." };
        var classNames = new Option<FileInfo?>("--class-names") { Description = "A text file naming the classes, one per line in class id order (written to the metadata; `ditml sample --classes` then takes names)." };
        var precision = new Option<string>("--precision") { Description = "fp32 (default) or int8: the blocks' linear layers as int8 weights with dynamic activation quantization (smaller, faster on CPUs with VNNI; see the README for the quality cost). DiT only.", DefaultValueFactory = _ => "fp32" }
            .AcceptOnlyFromAmong("fp32", "int8");
        var command = new Command("export-onnx", "Export a DiT or latent DiffiT checkpoint to ONNX (opset 17, dynamic batch) with the metadata the sampler needs.");
        foreach (var o in new Option[] { checkpoint, outPath, model, inputSize, inChannels, numClasses, weights, space, guidance, classNames, precision }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var options = new DiTLoadOptions
            {
                Model = parse.GetValue(model),
                InputSize = parse.GetValue(inputSize),
                InChannels = parse.GetValue(inChannels),
                NumClasses = parse.GetValue(numClasses),
                Weights = Enum.Parse<CheckpointWeights>(parse.GetValue(weights)!, ignoreCase: true),
            };
            string[]? names = null;
            if (parse.GetValue(classNames) is { } namesFile)
            {
                if (!namesFile.Exists) throw new FileNotFoundException($"--class-names: file not found: {namesFile.FullName}", namesFile.FullName);
                var lines = File.ReadAllLines(namesFile.FullName).Select(l => l.Trim()).ToList();
                while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);   // a final newline
                names = [.. lines];
            }
            if (ImageDiffiTCommands.IsImageDiffiT(parse.GetValue(checkpoint)!.FullName))
            {
                ImageDiffiTCommands.Export(parse.GetValue(checkpoint)!.FullName, options.Weights, parse.GetResult(guidance) is { Implicit: false } ? parse.GetValue(guidance) : null,
                    names, parse.GetValue(outPath)!.FullName, output);
                return 0;
            }
            string source = parse.GetValue(checkpoint)!.FullName;
            using var loaded = TransformerCheckpoint.Load(source, options);
            if (names is not null) DitML.Generation.ClassNaming.Check(names, loaded.NumClasses, $"--class-names {parse.GetValue(classNames)!.FullName}");
            ModelSpace chosenSpace = parse.GetValue(space) is { } named ? ModelSpaces.Parse(named) : ModelSpaces.ForChannels(loaded.InChannels);
            var chosenPrecision = OnnxPrecisions.Parse(parse.GetValue(precision)!);
            if (chosenPrecision != OnnxPrecision.Float32 && loaded is not DiT)
                throw new ArgumentException($"--precision {chosenPrecision.ToText()} is for DiT models; {source} is a latent DiffiT (export it as fp32)");
            var (onnx, label) = loaded switch
            {
                LatentDiffiT diffit => (LatentDiffiTOnnxExporter.Export(diffit, new DiTOnnxExportOptions
                {
                    Space = chosenSpace, GuidanceScale = parse.GetValue(guidance) ?? LatentDiffiTGuidance.ScaleFor(diffit.Config.InputSize), ClassNames = names,
                }), diffit.Config.Name ?? "custom DiffiT"),
                DiT dit => (DiTOnnxExporter.Export(dit, new DiTOnnxExportOptions
                {
                    Space = chosenSpace, GuidanceScale = parse.GetValue(guidance) ?? SamplerOptions.DefaultGuidanceScale, ClassNames = names, Precision = chosenPrecision,
                }), dit.Config.Name ?? "custom DiT"),
                _ => throw new InvalidOperationException("unknown model family"),
            };
            string path = parse.GetValue(outPath)!.FullName;
            onnx.Save(path);
            output.WriteLine($"wrote {path}: {label} ({loaded.InChannels}×{loaded.InputSize}×{loaded.InputSize}, {loaded.NumClasses} classes, {chosenSpace.ToText()} space, {chosenPrecision.ToText()}), {onnx.NodeCount} nodes, {onnx.InitializerBytes / 1e6:F1} MB of weights");
            return 0;
        });
        return command;
    }
}
