using System.Text.Json;

namespace DitML.Interactive.Tests.Notebooks;

/// <summary>A Jupyter notebook (.ipynb, nbformat 4) as the tests need it: its kernel and its code cells in order.</summary>
public sealed record NotebookFile(string Path, string KernelName, string Language, IReadOnlyList<string> CodeCells,
    int FormatMajor, int FormatMinor, IReadOnlyList<string?> CellIds)
{
    /// <summary>Reads <paramref name="path"/>; a cell's source may be one string or a list of lines, as nbformat allows.</summary>
    public static NotebookFile Read(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        var metadata = root.GetProperty("metadata");
        string kernel = metadata.GetProperty("kernelspec").GetProperty("name").GetString() ?? "";
        string language = metadata.GetProperty("language_info").GetProperty("name").GetString() ?? "";
        var cells = new List<string>();
        var ids = new List<string?>();
        foreach (var cell in root.GetProperty("cells").EnumerateArray())
        {
            ids.Add(cell.TryGetProperty("id", out var id) ? id.GetString() : null);
            if (cell.GetProperty("cell_type").GetString() != "code") continue;
            var source = cell.GetProperty("source");
            cells.Add(source.ValueKind == JsonValueKind.Array
                ? string.Concat(source.EnumerateArray().Select(line => line.GetString()))
                : source.GetString() ?? "");
        }
        return new NotebookFile(path, kernel, language, cells,
            root.GetProperty("nbformat").GetInt32(), root.GetProperty("nbformat_minor").GetInt32(), ids);
    }
}
