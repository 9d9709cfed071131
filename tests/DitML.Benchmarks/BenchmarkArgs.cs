namespace DitML.Benchmarks;

/// <summary>Tiny "--name value" option reader for the benchmark commands.</summary>
internal static class BenchmarkArgs
{
    public static string Get(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static int GetInt(string[] args, string name, int fallback) =>
        int.Parse(Get(args, name, fallback.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);
}
