using System.Diagnostics;

namespace DitML.Runtime.Tests;

/// <summary>Paths of committed fixtures, and the optional real-reference check through Debian's Python.</summary>
internal static class Fixture
{
    public static string Path(params string[] parts) => System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    /// <summary>A file of the shipped model folder, examples/models/fashion-mnist, found above the test's output.</summary>
    public static string Shipped(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "examples", "models", "fashion-mnist", file);
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Fail($"examples/models/fashion-mnist/{file} is not in the repository");
        return "";
    }

    /// <summary>
    /// Runs /usr/bin/python3 with a script when the modules are importable; returns null (after marking the test
    /// inconclusive) when they are not installed, so the check needs python3-torch etc. only where they exist.
    /// </summary>
    public static string RunPython(string script, string modules, params string[] args)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || Run(python, ["-c", $"import {modules}"]).Code != 0)
            Assert.Inconclusive($"skipped: {python} with {modules} is not installed (apt-get install the python3-* packages; .ci/run does)");
        var (code, output, error) = Run(python, ["-c", script, .. args]);
        Assert.AreEqual(0, code, $"python failed: {error}");
        return output;
    }

    private static (int Code, string Output, string Error) Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd(), error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, error);
    }
}
