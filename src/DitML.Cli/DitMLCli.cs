using System.CommandLine;
using DitML.Cli.Commands;
using DitML.Dit;

namespace DitML.Cli;

/// <summary>The `ditml` command line: builds the command tree and runs it with user-friendly errors.</summary>
public static class DitMLCli
{
    /// <summary>Runs the tool; returns the process exit code (0 success, 1 unexpected failure, 2 bad input).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("ditml: Diffusion Transformers for .NET — inspect, convert, train, export, sample and evaluate DiT models.");
        root.Subcommands.Add(InfoCommand.Create(output));
        root.Subcommands.Add(ConvertCommand.Create(output));
        root.Subcommands.Add(ExportOnnxCommand.Create(output));
        root.Subcommands.Add(ExportVaeCommand.Create(output));
        root.Subcommands.Add(SampleCommand.Create(output, error));
        root.Subcommands.Add(MergeNpzCommand.Create(output));
        root.Subcommands.Add(TrainCommand.Create(output, error));
        root.Subcommands.Add(TrainVaeCommand.Create(output, error));
        root.Subcommands.Add(FidCommand.Create(output, error));
        root.Subcommands.Add(ExportInceptionCommand.Create(output));
        root.Subcommands.Add(SweepCommand.Create(output, error));
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return root.Parse(args).Invoke(config);
        }
        catch (Exception e) when (UserError.IsUserError(e))
        {
            error.WriteLine($"error: {UserError.Describe(e)}");
            return 2;
        }
        catch (Exception e)
        {
            error.WriteLine($"error: {e.Message}");
            if (Environment.GetEnvironmentVariable("DITML_DEBUG") == "1") error.WriteLine(e);
            else error.WriteLine("(an unexpected failure; set DITML_DEBUG=1 to see the stack trace)");
            return 1;
        }
    }
}
