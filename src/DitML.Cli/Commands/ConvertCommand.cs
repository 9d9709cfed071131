using System.CommandLine;
using DitML.Checkpoints;
using DitML.Training;

namespace DitML.Cli.Commands;

/// <summary>`ditml convert`: between PyTorch .pt and safetensors, official names kept.</summary>
internal static class ConvertCommand
{
    public static Command Create(TextWriter output)
    {
        var input = new Option<FileInfo>("--in") { Description = "Source checkpoint (.pt as torch.save writes it, or .safetensors).", Required = true };
        var outPath = new Option<FileInfo>("--out") { Description = "Destination; .safetensors writes safetensors, anything else PyTorch's zip format (a DitML run's checkpoint.safetensors becomes the official train.py dict {model, ema, opt, args}).", Required = true };
        var weights = new Option<string>("--weights")
        {
            Description = "For a training checkpoint {model, ema, opt, args}: which weights to take.",
            DefaultValueFactory = _ => "auto",
        }.AcceptOnlyFromAmong("auto", "ema", "model");
        var command = new Command("convert", "Convert a checkpoint between PyTorch .pt and .safetensors, keeping the official tensor names.");
        command.Options.Add(input);
        command.Options.Add(outPath);
        command.Options.Add(weights);
        command.SetAction(parse =>
        {
            string from = parse.GetValue(input)!.FullName, to = parse.GetValue(outPath)!.FullName;
            if (from == to) throw new ArgumentException("--in and --out are the same file");
            var which = Enum.Parse<CheckpointWeights>(parse.GetValue(weights)!, ignoreCase: true);
            var contents = CheckpointFile.Open(from, which);
            // (Latent DiffiT has no official training code, hence no dict: its run checkpoint becomes the selected weights' state_dict.)
            if (contents.Metadata.ContainsKey(TrainingCheckpoint.TrainerMetadataKey) && CheckpointFile.FormatOfExtension(to) != CheckpointFormat.SafeTensors
                && !contents.Metadata.ContainsKey(DitML.DiffiT.LatentDiffiTCheckpoint.ConfigMetadataKey))
            {
                // A DitML run's checkpoint to .pt: the official train.py dict, so PyTorch code continues the run.
                OfficialTrainingCheckpoint.Convert(from, to);
                output.WriteLine($"wrote {to}: the official training dict {{model, ema, opt, args}} of {from}");
                return 0;
            }
            CheckpointFile.Write(to, contents.Tensors, contents.Metadata);
            long elements = contents.Tensors.Values.Sum(t => t.ElementCount);
            output.WriteLine($"wrote {contents.Tensors.Count} tensors ({elements:N0} values{(contents.SelectedEntry is { } e ? $", \"{e}\" weights" : "")}) to {to} ({CheckpointFile.FormatOfExtension(to)})");
            return 0;
        });
        return command;
    }
}
