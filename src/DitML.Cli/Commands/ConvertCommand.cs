using System.CommandLine;

namespace DitML.Cli.Commands;

/// <summary>`ditml convert`: between PyTorch .pt and safetensors, official names kept.</summary>
internal static class ConvertCommand
{
    public static Command Create(TextWriter output)
    {
        var input = new Option<FileInfo>("--in") { Description = "Source checkpoint (.pt as torch.save writes it, or .safetensors).", Required = true };
        var outPath = new Option<FileInfo>("--out") { Description = "Destination (.pt or .safetensors, chosen by extension).", Required = true };
        var command = new Command("convert", "Convert a checkpoint between PyTorch .pt and .safetensors, keeping the official tensor names.");
        command.Options.Add(input);
        command.Options.Add(outPath);
        command.SetAction((Func<ParseResult, int>)(_ => throw new NotSupportedException("convert needs the checkpoint formats (in progress)")));
        return command;
    }
}
