using System.Text;
using System.Text.Json;

namespace DitML.Training;

/// <summary>
/// A run's <c>log.jsonl</c> (one JSON object with a "step" per line). A resumed run first cuts it back to its
/// checkpoint's step, so steps past the checkpoint are not logged twice; a torn line (a process killed mid-write) ends
/// what is kept.
/// </summary>
public static class TrainingLog
{
    /// <summary>File name of the log in a run folder.</summary>
    public const string FileName = "log.jsonl";

    /// <summary>
    /// Rewrites <paramref name="path"/> (atomically) with its lines up to and including <paramref name="step"/>, dropping
    /// later, unreadable and torn lines; returns the lines kept. A missing file is left missing.
    /// </summary>
    public static int TruncateTo(string path, long step)
    {
        if (!File.Exists(path)) return 0;
        var kept = new StringBuilder();
        int count = 0;
        string text = File.ReadAllText(path);
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            long? at = StepOf(line);
            if (at is null || at > step) break;                // a torn or unreadable line ends what is kept
            kept.Append(line).Append('\n');
            count++;
        }
        if (kept.Length == text.Length) return count;
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, kept.ToString());
        File.Move(temporary, path, overwrite: true);
        return count;
    }

    /// <summary>The "step" of a log line, or null when the line is not a complete JSON object with one.</summary>
    public static long? StepOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("step", out var s) && s.TryGetInt64(out long v) ? v : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
