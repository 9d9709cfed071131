using System.Diagnostics;

namespace DitML.Cli;

/// <summary>A one-line progress bar on the error stream, redrawn at most 10 times a second; silent when not a terminal.</summary>
internal sealed class ProgressBar : IDisposable
{
    private readonly TextWriter writer;
    private readonly string label;
    private readonly long total;
    private readonly Stopwatch watch = Stopwatch.StartNew();
    private readonly bool interactive;
    private long done;
    private long lastDraw = -1000;
    private string status = "";

    public ProgressBar(TextWriter writer, string label, long total)
    {
        this.writer = writer;
        this.label = label;
        this.total = Math.Max(total, 1);
        interactive = ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;
    }

    public void Advance(int steps = 1, string? status = null)
    {
        done += steps;
        if (status != null) this.status = status;
        if (!interactive || (watch.ElapsedMilliseconds - lastDraw < 100 && done < total)) return;
        lastDraw = watch.ElapsedMilliseconds;
        int width = 30, filled = (int)Math.Round(width * Math.Min(done, total) / (double)total);
        double rate = done / Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
        double eta = (total - done) / Math.Max(rate, 1e-9);
        writer.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total}  {rate:F1}/s  eta {eta:F0} s  {status}   ");
    }

    public void Dispose()
    {
        if (interactive) writer.WriteLine();
    }
}
