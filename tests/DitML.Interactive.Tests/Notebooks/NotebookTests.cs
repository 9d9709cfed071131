using System.Diagnostics;
using DitML.Interactive.Tests.Formatting;

namespace DitML.Interactive.Tests.Notebooks;

/// <summary>
/// Every notebook under examples/notebooks runs cell by cell, as the .NET Interactive kernel would, in quick mode
/// (DITML_NOTEBOOK_QUICK=1) against small stand-in inputs, and shows at least one image that decodes.
/// </summary>
[TestClass]
public sealed class NotebookTests
{
    private static readonly string Root = RepositoryRoot;
    private static NotebookInputs? inputs;

    public static IEnumerable<object[]> Notebooks =>
        Directory.GetFiles(Path.Combine(Root, "examples", "notebooks"), "*.ipynb", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(p => new object[] { Path.GetRelativePath(Root, p) });

    /// <summary>
    /// DITML_NOTEBOOK_TEST_FULL=1: run the notebooks as a user would, at full size on the shipped model and the real
    /// data (minutes; needs examples/models/fashion-mnist/model.onnx). Otherwise quick mode on stand-ins.
    /// </summary>
    private static bool Full => Environment.GetEnvironmentVariable("DITML_NOTEBOOK_TEST_FULL") == "1";

    [ClassInitialize]
    public static void SetUp(TestContext _)
    {
        if (Full) return;
        inputs = new NotebookInputs(Root);
        Environment.SetEnvironmentVariable("DITML_NOTEBOOK_QUICK", "1");
        Environment.SetEnvironmentVariable("DITML_MODELS_DIR", inputs.ModelsDirectory);
        Environment.SetEnvironmentVariable("DITML_FASHION_MNIST", inputs.DataDirectory);
        // Notebook 2's run folder inside the inputs, so it is deleted with them.
        Environment.SetEnvironmentVariable("DITML_RUN_DIR", inputs.RunDirectory);
    }

    [ClassCleanup]
    public static void TearDown()
    {
        if (Full) return;
        foreach (string name in new[] { "DITML_NOTEBOOK_QUICK", "DITML_MODELS_DIR", "DITML_FASHION_MNIST", "DITML_RUN_DIR" })
            Environment.SetEnvironmentVariable(name, null);
        inputs?.Dispose();
    }

    [TestMethod]
    public void TheThreeNotebooksExist()
    {
        var names = Notebooks.Select(n => Path.GetFileName((string)n[0])).ToArray();
        CollectionAssert.IsSubsetOf(new[] { "01-generate.ipynb", "02-train.ipynb", "03-evaluate.ipynb" }, names);
    }

    [TestMethod]
    [DynamicData(nameof(Notebooks))]
    public async Task NotebookRunsEveryCellAndShowsAnImage(string relativePath)
    {
        var notebook = NotebookFile.Read(Path.Combine(Root, relativePath));
        Assert.AreEqual(".net-csharp", notebook.KernelName);
        Assert.AreEqual("C#", notebook.Language);
        Assert.IsTrue(notebook.CodeCells.Count > 0, "no code cells");
        // nbformat 4.5 (what Jupyter writes today) requires a unique id on every cell.
        Assert.AreEqual(4, notebook.FormatMajor);
        if (notebook.FormatMinor >= 5)
        {
            Assert.IsTrue(notebook.CellIds.All(id => !string.IsNullOrEmpty(id)), "a cell has no id");
            Assert.AreEqual(notebook.CellIds.Count, notebook.CellIds.Distinct().Count(), "cell ids repeat");
        }
        Assert.IsTrue(notebook.CodeCells.Any(c => c.Contains("#r \\\"nuget: {p}")), "the notebook should reference DitML as a package");

        var watch = Stopwatch.StartNew();
        var globals = await NotebookRunner.RunAsync(notebook);
        Console.WriteLine($"{relativePath}: {notebook.CodeCells.Count} cells in {watch.Elapsed.TotalSeconds:F1} s, {globals.Displayed.Count} values displayed");

        // DITML_NOTEBOOK_OUTPUT=<folder>: keep what each notebook showed as an HTML page, to look at.
        if (Environment.GetEnvironmentVariable("DITML_NOTEBOOK_OUTPUT") is { Length: > 0 } outputDir)
        {
            Directory.CreateDirectory(outputDir);
            File.WriteAllText(Path.Combine(outputDir, Path.GetFileNameWithoutExtension(relativePath) + ".html"),
                "<!DOCTYPE html><meta charset=\"utf-8\"><body>" + string.Join("\n<hr/>\n", globals.Html) + "</body>");
        }

        var images = globals.Html.SelectMany(EmbeddedImages.Find).ToList();
        Assert.IsTrue(images.Count > 0, $"{relativePath} displayed no image; displayed: {string.Join(", ", globals.Displayed.Select(d => d?.GetType().Name))}");
        foreach (var shown in images)
        {
            // Shown at an integer enlargement of the PNG's own size.
            Assert.AreEqual(0, shown.DisplayWidth % shown.Image.Width);
            Assert.AreEqual(shown.DisplayWidth / shown.Image.Width, shown.DisplayHeight / shown.Image.Height);
        }
        // Generated samples of the 28×28 model: tiles of 28 plus make_grid padding.
        Assert.IsTrue(images.Any(i => (i.Image.Height - 2) % 30 == 0 && (i.Image.Width - 2) % 30 == 0),
            $"{relativePath}: no grid of 28×28 samples among {string.Join(", ", images.Select(i => $"{i.Image.Width}×{i.Image.Height}"))}");
    }

    /// <summary>The repository root (the folder holding DitML.sln).</summary>
    internal static string RepositoryRoot => FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DitML.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("DitML.sln not found above " + AppContext.BaseDirectory);
    }
}
