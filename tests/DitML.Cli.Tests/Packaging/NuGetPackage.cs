using System.IO.Compression;
using System.Xml.Linq;

namespace DitML.Cli.Tests.Packaging;

/// <summary>A .nupkg opened for inspection: its file list and the metadata of its nuspec.</summary>
internal sealed class NuGetPackage
{
    private NuGetPackage(string path, IReadOnlyList<string> files, XElement metadata, Dictionary<string, string> texts)
    {
        Path = path;
        Files = files;
        Metadata = metadata;
        Texts = texts;
    }

    public string Path { get; }

    /// <summary>Every entry of the zip, with forward slashes.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The nuspec's &lt;metadata&gt; element.</summary>
    public XElement Metadata { get; }

    /// <summary>The text of small text entries (.targets, .cs, .dib, .md), by entry name.</summary>
    public IReadOnlyDictionary<string, string> Texts { get; }

    /// <summary>A metadata field's text ("" when absent); nuspec namespaces differ between NuGet versions, so names are matched locally.</summary>
    public string this[string field] => Metadata.Elements().FirstOrDefault(e => e.Name.LocalName == field)?.Value ?? "";

    public XElement? Element(string field) => Metadata.Elements().FirstOrDefault(e => e.Name.LocalName == field);

    /// <summary>The ids of every dependency, in every target-framework group.</summary>
    public IReadOnlyList<string> DependencyIds =>
        Metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).ToList();

    public static NuGetPackage Open(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var files = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
        var nuspec = zip.Entries.Single(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XDocument document;
        using (var stream = nuspec.Open()) document = XDocument.Load(stream);
        var metadata = document.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        var texts = new Dictionary<string, string>();
        foreach (var entry in zip.Entries.Where(e => e.Length < 1_000_000 && new[] { ".targets", ".cs", ".dib", ".md" }.Any(e.FullName.EndsWith)))
        {
            using var reader = new StreamReader(entry.Open());
            texts[entry.FullName] = reader.ReadToEnd();
        }
        return new NuGetPackage(path, files, metadata, texts);
    }
}
