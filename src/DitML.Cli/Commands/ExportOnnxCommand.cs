using System.CommandLine;
using DitML.Checkpoints;
using DitML.Onnx;
using DitML.Dit;
using DitML.Models;

namespace DitML.Cli.Commands;

/// <summary>`ditml export-onnx`: a DiT checkpoint to an ONNX model the sampler (and ML.NET) can run without libtorch.</summary>
internal static class ExportOnnxCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "DitML checkpoint (.safetensors with its config), or an official .pt/.safetensors (then give --model and sizes).", Required = true };
        var outPath = new Option<FileInfo>("--out") { Description = "The .onnx file to write (weights go to <out>.data when over 2 GB).", Required = true };
        var model = new Option<string?>("--model", "-m") { Description = "Paper config name for files without a DitML config, e.g. DiT-XL/2." };
        var inputSize = new Option<int?>("--input-size") { Description = "Spatial size the transformer sees (latent size for latent models)." };
        var inChannels = new Option<int?>("--in-channels") { Description = "Input channels." };
        var numClasses = new Option<int?>("--num-classes") { Description = "Number of classes." };
        var weights = new Option<string>("--weights") { Description = "Training checkpoints: ema (default when present) or model.", DefaultValueFactory = _ => "auto" }
            .AcceptOnlyFromAmong("auto", "ema", "model");
        var space = new Option<string?>("--space") { Description = "latent or pixel (default: pixel for 1 or 3 channels, else latent)." }
            .AcceptOnlyFromAmong("latent", "pixel");
        var guidance = new Option<double>("--cfg") { Description = "Guidance scale to recommend in the model's metadata.", DefaultValueFactory = _ => 4.0 };
        var classNames = new Option<FileInfo?>("--class-names") { Description = "A text file naming the classes, one per line in class id order (written to the metadata; `ditml sample --classes` then takes names)." };
        var command = new Command("export-onnx", "Export a DiT checkpoint to ONNX (opset 17, dynamic batch) with the metadata the sampler needs.");
        foreach (var o in new Option[] { checkpoint, outPath, model, inputSize, inChannels, numClasses, weights, space, guidance, classNames }) command.Options.Add(o);
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
            using var dit = DiTCheckpoint.Load(parse.GetValue(checkpoint)!.FullName, options);
            if (names is not null) DitML.Generation.ClassNaming.Check(names, dit.Config.NumClasses, $"--class-names {parse.GetValue(classNames)!.FullName}");
            ModelSpace chosenSpace = parse.GetValue(space) is { } named ? ModelSpaces.Parse(named) : ModelSpaces.ForChannels(dit.Config.InChannels);
            var onnx = DiTOnnxExporter.Export(dit, new DiTOnnxExportOptions { Space = chosenSpace, GuidanceScale = parse.GetValue(guidance), ClassNames = names });
            string path = parse.GetValue(outPath)!.FullName;
            onnx.Save(path);
            output.WriteLine($"wrote {path}: {dit.Config.Name ?? "custom DiT"} ({dit.Config.InChannels}×{dit.Config.InputSize}×{dit.Config.InputSize}, {dit.Config.NumClasses} classes, {chosenSpace.ToText()} space), {onnx.NodeCount} nodes, {onnx.InitializerBytes / 1e6:F1} MB of weights");
            return 0;
        });
        return command;
    }
}
