using System.Text.Json;

namespace DitML.Runtime.Tests.Imaging;

/// <summary>Paths and cases of tests/Fixtures/data (made by make_data_fixtures.py with Pillow 9.4).</summary>
internal static class DataFixtures
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "data");

    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    public static byte[] Expected(string name) => File.ReadAllBytes(Path_("expected", name));

    public static IEnumerable<JsonElement> Cases(string kind)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path_("expected", "cases.json")));
        return doc.RootElement.GetProperty(kind).EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>Largest absolute difference and how many values differ.</summary>
    public static (int Max, int Count) Diff(byte[] expected, byte[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        int max = 0, count = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = Math.Abs(expected[i] - actual[i]);
            if (d > 0) count++;
            max = Math.Max(max, d);
        }
        return (max, count);
    }

    /// <summary>A fresh empty folder under the temp directory, deleted with everything in it on dispose.</summary>
    public static TempFolder NewTempFolder() => new();

    internal sealed class TempFolder : IDisposable
    {
        public TempFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ditml-data-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { } // best effort: a leftover temp folder must not fail a test
        }
    }
}
