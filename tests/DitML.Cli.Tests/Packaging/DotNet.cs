using System.Diagnostics;

namespace DitML.Cli.Tests.Packaging;

/// <summary>Runs the `dotnet` CLI for the packaging tests, with a time limit, and returns what it printed.</summary>
internal static class DotNet
{
    public static string Run(string workingDirectory, TimeSpan limit, params string[] args)
    {
        var (code, output) = RunAny(workingDirectory, limit, args);
        Assert.AreEqual(0, code, $"dotnet {string.Join(' ', args)} failed:\n{output}");
        return output;
    }

    /// <summary>Like <see cref="Run"/>, for commands expected to fail: the exit code, and stdout then stderr.</summary>
    public static (int ExitCode, string Output) RunAny(string workingDirectory, TimeSpan limit, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        // Quiet and offline-friendly: no first-run banner, no telemetry, no build servers left behind by the test.
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} did not finish within {limit.TotalSeconds} s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The build configuration this test assembly was built in (…/bin/&lt;Configuration&gt;/net10.0/).</summary>
    public static string Configuration =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>The repository root (the folder holding DitML.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "DitML.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("DitML.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
