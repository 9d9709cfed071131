using System.Diagnostics;
using System.Text.Json;

namespace DitML.Interactive.Tests.Notebooks;

/// <summary>
/// Every notebook under examples/notebooks runs to the end in the real .NET Interactive kernel, through Jupyter's
/// nbconvert, unedited, as a user runs it: DitML comes from a package feed packed from this build (the notebooks'
/// first cell finds it through DITML_FEED, as it finds artifacts/feed otherwise), in quick mode.
/// Needs jupyter-nbconvert and the kernel (`dotnet tool install -g Microsoft.dotnet-interactive`,
/// `dotnet interactive jupyter install`; .ci/run installs both); skips with a message where they are missing.
/// </summary>
[TestClass]
public sealed class KernelNotebookTests
{
    private static readonly string Root = NotebookTests.RepositoryRoot;
    private static string? work;
    private static string? feed;
    private static NotebookInputs? inputs;

    [ClassInitialize]
    public static void PackTheFeed(TestContext _)
    {
        if (MissingTools() is not null) return;
        work = Directory.CreateTempSubdirectory("ditml-kernel-").FullName;
        feed = Path.Combine(work, "feed");
        // The libraries as built for this test run; nuspec files in a folder of our own (the packaging test packs too).
        Run(Root, TimeSpan.FromMinutes(3), new Dictionary<string, string>(), "dotnet", "pack", Path.Combine("src", "DitML.Libraries.slnf"), "--no-build", "--no-restore",
            "-c", Configuration, "-o", feed, $"-p:NuspecOutputPath={Path.Combine(work, "nuspec")}{Path.DirectorySeparatorChar}");
        inputs = new NotebookInputs(Root);
    }

    [ClassCleanup]
    public static void CleanUp()
    {
        inputs?.Dispose();
        if (work is not null) Directory.Delete(work, recursive: true);
    }

    [TestMethod]
    [DynamicData(nameof(NotebookTests.Notebooks), typeof(NotebookTests))]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void NotebookRunsInTheRealKernel(string relativePath)
    {
        if (MissingTools() is { } missing) Assert.Inconclusive(missing);
        string name = Path.GetFileNameWithoutExtension(relativePath);
        string output = Path.Combine(work!, "executed");
        var environment = new Dictionary<string, string>
        {
            ["DITML_FEED"] = feed!,
            ["DITML_NOTEBOOK_QUICK"] = "1",
            ["DITML_FASHION_MNIST"] = inputs!.DataDirectory,                       // 40 stand-in images: Debian's dataset may be absent
            ["DITML_RUN_DIR"] = Path.Combine(work!, "run-" + name),
        };
        var watch = Stopwatch.StartNew();
        Run(Path.GetDirectoryName(Path.Combine(Root, relativePath))!, TimeSpan.FromMinutes(14), environment,
            "jupyter", "nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.timeout=600",
            "--output-dir", output, Path.GetFileName(relativePath));
        Console.WriteLine($"{relativePath}: {watch.Elapsed.TotalSeconds:F1} s in the kernel");

        using var executed = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, name + ".ipynb")));
        var outputs = executed.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.TryGetProperty("outputs", out _))
            .SelectMany(c => c.GetProperty("outputs").EnumerateArray()).ToList();
        var errors = outputs.Where(o => o.GetProperty("output_type").GetString() == "error")
            .Select(o => $"{o.GetProperty("ename").GetString()}: {o.GetProperty("evalue").GetString()}").ToList();
        var compileErrors = outputs.Where(o => o.GetProperty("output_type").GetString() == "stream" && Text(o, "text").Contains("error CS"))
            .Select(o => Text(o, "text")).ToList();
        Assert.IsEmpty(errors.Concat(compileErrors).ToList(), $"{relativePath} failed in the kernel:\n{string.Join("\n", errors.Concat(compileErrors))}");
        int images = outputs.Count(o => o.TryGetProperty("data", out var data)
            && (data.TryGetProperty("image/png", out _) || (data.TryGetProperty("text/html", out var html) && Join(html).Contains("data:image/png;base64,"))));
        Assert.IsGreaterThanOrEqualTo(1, images, $"{relativePath} rendered no image in the kernel");
    }

    private static string Text(JsonElement output, string property) => output.TryGetProperty(property, out var text) ? Join(text) : "";

    private static string Join(JsonElement text) =>
        text.ValueKind == JsonValueKind.Array ? string.Concat(text.EnumerateArray().Select(l => l.GetString())) : text.GetString() ?? "";

    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>Why the kernel cannot run here, or null.</summary>
    private static string? MissingTools()
    {
        if (!OnPath("jupyter-nbconvert")) return "jupyter-nbconvert is not installed (Debian: apt-get install jupyter-nbconvert jupyter-client python3-ipykernel)";
        string kernels = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "jupyter", "kernels", ".net-csharp");
        if (!Directory.Exists(kernels) && !Directory.Exists("/usr/local/share/jupyter/kernels/.net-csharp") && !Directory.Exists("/usr/share/jupyter/kernels/.net-csharp"))
            return "the .NET Interactive kernel is not installed (dotnet tool install -g Microsoft.dotnet-interactive --version 1.0.712001; dotnet interactive jupyter install)";
        return null;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, tool)));

    private static void Run(string directory, TimeSpan limit, Dictionary<string, string> environment, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        // The kernel is a global .NET tool: make sure jupyter finds it where `dotnet tool install -g` puts it.
        string tools = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools");
        start.Environment["PATH"] = (Environment.GetEnvironmentVariable("PATH") ?? "") + Path.PathSeparator + tools;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {limit.TotalMinutes} min");
        }
        Assert.AreEqual(0, process.ExitCode, $"{file} {string.Join(' ', args)} failed:\n{stdout.Result}{stderr.Result}");
    }
}
