using System.Text.Json;

namespace DitML.Cli.Tests.Packaging;

/// <summary>
/// The libraries pack into NuGet packages a user can reference: metadata (README, license expression, description,
/// tags, repository), the right dependencies (nothing for inference pulls in TorchSharp), and the build and notebook
/// assets that must travel with them. One `dotnet pack src/DitML.Libraries.slnf --no-build` of the already-built libraries,
/// into a temporary folder. The `ditml` tool package bundles libtorch (hundreds of MB), so it is checked through its project properties.
/// </summary>
[TestClass]
public sealed class PackagingTests
{
    private static readonly string[] Libraries = ["DitML.Runtime", "DitML.Torch", "DitML.ML", "DitML.ML.Training", "DitML.Interactive"];
    private static string? feed;
    private static Dictionary<string, NuGetPackage> packages = new();

    [ClassInitialize]
    public static void Pack(TestContext _)
    {
        string root = DotNet.RepositoryRoot;
        feed = Directory.CreateTempSubdirectory("ditml-pack-").FullName;
        // The solution filter users pack the libraries with (one MSBuild run for all four).
        DotNet.Run(root, TimeSpan.FromSeconds(120), "pack", Path.Combine("src", "DitML.Libraries.slnf"), "--no-build", "--no-restore", "-c", DotNet.Configuration, "-o", feed);
        packages = Libraries.ToDictionary(l => l, l => NuGetPackage.Open(Path.Combine(feed, $"{l}.0.1.0.nupkg")));
    }

    [ClassCleanup]
    public static void CleanUp()
    {
        if (feed is not null && Directory.Exists(feed)) Directory.Delete(feed, recursive: true);
    }

    [TestMethod]
    public void TheLibrariesFilterPacksExactlyTheLibraries()
    {
        Assert.AreEqual(Libraries.Length, Directory.GetFiles(feed!, "*.nupkg").Length, string.Join(", ", Directory.GetFiles(feed!)));
        using var filter = JsonDocument.Parse(File.ReadAllText(Path.Combine(DotNet.RepositoryRoot, "src", "DitML.Libraries.slnf")));
        var listed = filter.RootElement.GetProperty("solution").GetProperty("projects").EnumerateArray()
            .Select(p => Path.GetFileNameWithoutExtension(p.GetString()!.Replace('\\', '/'))).Order().ToArray();
        CollectionAssert.AreEqual(Libraries.Order().ToArray(), listed);
    }

    [TestMethod]
    public void EveryLibraryHasItsMetadataReadmeAndDocs()
    {
        foreach (var (id, p) in packages)
        {
            Assert.AreEqual(id, p["id"]);
            Assert.AreEqual("0.1.0", p["version"]);
            Assert.AreEqual("expression", (string?)p.Element("license")?.Attribute("type"), id);
            Assert.AreEqual("MIT", p["license"], id);
            Assert.AreEqual("README.md", p["readme"], id);
            CollectionAssert.Contains(p.Files.ToList(), "README.md", id);
            StringAssert.StartsWith(p.Texts["README.md"], "# DitML", id);
            Assert.IsTrue(p["description"].Length > 40, $"{id}: description '{p["description"]}'");
            StringAssert.Contains(p["tags"], "diffusion", id);
            Assert.AreEqual("git", (string?)p.Element("repository")?.Attribute("type"), id);
            StringAssert.StartsWith((string?)p.Element("repository")?.Attribute("url") ?? "", "https://", id);
            Assert.IsFalse(string.IsNullOrEmpty(p["projectUrl"]), id);
            CollectionAssert.Contains(p.Files.ToList(), $"lib/net10.0/{id}.dll", id);
            CollectionAssert.Contains(p.Files.ToList(), $"lib/net10.0/{id}.xml", $"{id}: XML docs for IntelliSense");
        }
    }

    [TestMethod]
    public void InferencePackagesDoNotDependOnTorchSharp()
    {
        foreach (string id in new[] { "DitML.Runtime", "DitML.ML", "DitML.Interactive" })
        {
            var deps = packages[id].DependencyIds;
            Assert.IsFalse(deps.Any(d => d.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase) || d.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase) || d == "DitML.Torch"),
                $"{id} depends on {string.Join(", ", deps)}");
        }
        CollectionAssert.Contains(packages["DitML.Runtime"].DependencyIds.ToList(), "Microsoft.ML.OnnxRuntime");
        CollectionAssert.Contains(packages["DitML.ML"].DependencyIds.ToList(), "DitML.Runtime");
        CollectionAssert.Contains(packages["DitML.Interactive"].DependencyIds.ToList(), "Microsoft.DotNet.Interactive.Formatting");
    }

    [TestMethod]
    public void OnlyTheTrainingPackageJoinsTorchSharpAndMLNet()
    {
        var torch = packages["DitML.Torch"].DependencyIds;
        Assert.IsFalse(torch.Any(d => d.StartsWith("Microsoft.ML", StringComparison.Ordinal) && !d.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal) || d == "DitML.ML"),
            $"DitML.Torch depends on {string.Join(", ", torch)}: TorchSharp users must not pull in ML.NET");
        var training = packages["DitML.ML.Training"].DependencyIds.ToList();
        CollectionAssert.Contains(training, "DitML.Torch");
        CollectionAssert.Contains(training, "DitML.ML");
    }

    [TestMethod]
    public void TheTorchPackageCarriesTheLibTorchSharpLoadFix()
    {
        var torch = packages["DitML.Torch"];
        CollectionAssert.Contains(torch.DependencyIds.ToList(), "TorchSharp-cpu");
        CollectionAssert.Contains(torch.DependencyIds.ToList(), "DitML.Runtime");
        // NuGet imports buildTransitive/<id>.targets into every project that references the package, directly or not;
        // the task's source must sit next to it, where the targets file looks for it.
        CollectionAssert.Contains(torch.Files.ToList(), "buildTransitive/DitML.Torch.targets");
        CollectionAssert.Contains(torch.Files.ToList(), "buildTransitive/ElfVersionNeeds.cs");
        StringAssert.Contains(torch.Texts["buildTransitive/DitML.Torch.targets"], "$(MSBuildThisFileDirectory)ElfVersionNeeds.cs");
        Assert.IsFalse(torch.Files.Any(f => f.StartsWith("lib/") && f.EndsWith("ElfVersionNeeds.cs")));
    }

    [TestMethod]
    public void TheInteractivePackageRegistersItsFormattersInNotebooks()
    {
        // .NET Interactive runs interactive-extensions/dotnet/extension.dib of each package a notebook references.
        var interactive = packages["DitML.Interactive"];
        CollectionAssert.Contains(interactive.Files.ToList(), "interactive-extensions/dotnet/extension.dib");
        StringAssert.Contains(interactive.Texts["interactive-extensions/dotnet/extension.dib"], "DitMLFormatters.Register()");
    }

    [TestMethod]
    public void TheCommandLineToolIsPackedAsDitml()
    {
        string json = DotNet.Run(DotNet.RepositoryRoot, TimeSpan.FromSeconds(60), "msbuild", "src/DitML.Cli/DitML.Cli.csproj",
            "-getProperty:PackAsTool", "-getProperty:ToolCommandName", "-getProperty:PackageReadmeFile", "-getProperty:PackageTags",
            "-getProperty:PackageLicenseExpression", "-getProperty:Description", "-getProperty:RepositoryUrl", "-getProperty:Version");
        var properties = JsonDocument.Parse(json[json.IndexOf('{')..]).RootElement.GetProperty("Properties");
        string Get(string name) => properties.GetProperty(name).GetString() ?? "";
        Assert.AreEqual("true", Get("PackAsTool"));
        Assert.AreEqual("ditml", Get("ToolCommandName"));
        Assert.AreEqual("README.md", Get("PackageReadmeFile"));
        Assert.AreEqual("MIT", Get("PackageLicenseExpression"));
        StringAssert.Contains(Get("PackageTags"), "dotnet-tool");
        StringAssert.StartsWith(Get("RepositoryUrl"), "https://");
        Assert.AreEqual("0.1.0", Get("Version"));
        Assert.IsTrue(Get("Description").Length > 40);
    }
}
