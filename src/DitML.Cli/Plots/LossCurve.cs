using System.Text.Json;
using ScottPlot;

namespace DitML.Cli.Plots;

/// <summary>
/// Draws a run's loss curve (loss, ε MSE and the variational-bound term against steps) from its <c>log.jsonl</c>, with
/// the learning rate on a right-hand axis when a schedule changed it.
/// </summary>
internal static class LossCurve
{
    /// <summary>File name of the picture, written beside the log.</summary>
    public const string FileName = "loss.png";

    /// <summary>Reads <paramref name="logPath"/> and writes the PNG; returns false (writing nothing) when the log has fewer than two points.</summary>
    public static bool Write(string logPath, string pngPath, int width = 800, int height = 450)
    {
        var steps = new List<double>();
        var loss = new List<double>();
        var mse = new List<double>();
        var vb = new List<double>();
        var lr = new List<double>();
        foreach (string line in File.ReadLines(logPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                continue;                                       // a torn line (a run killed mid-write) is not plotted
            }
            using var _ = doc;
            var root = doc.RootElement;
            if (!root.TryGetProperty("step", out var step) || !root.TryGetProperty("loss", out var l)) continue;
            steps.Add(step.GetDouble());
            loss.Add(l.GetDouble());
            mse.Add(root.TryGetProperty("mse", out var m) ? m.GetDouble() : double.NaN);
            vb.Add(root.TryGetProperty("vb", out var v) ? v.GetDouble() : double.NaN);
            lr.Add(root.TryGetProperty("lr", out var r) ? r.GetDouble() : double.NaN);
        }
        if (steps.Count < 2) return false;

        // A resumed run appends to the log; keep the last value logged for each step so the curve never doubles back.
        var last = new SortedDictionary<double, int>();
        for (int i = 0; i < steps.Count; i++) last[steps[i]] = i;
        double[] Pick(List<double> values) => last.Values.Select(i => values[i]).ToArray();
        double[] x = last.Keys.ToArray();

        var plot = new Plot();
        Add(plot, x, Pick(loss), "loss");
        if (mse.Any(double.IsFinite)) Add(plot, x, Pick(mse), "ε MSE");
        if (vb.Any(v => double.IsFinite(v) && v > 0)) Add(plot, x, Pick(vb), "VB (bits)");
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            LabelFormatter = y => Math.Pow(10, y).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
        };
        var rates = Pick(lr);
        if (rates.Where(double.IsFinite).Distinct().Count() > 1)
        {
            var rate = plot.Add.ScatterLine(x, rates);
            rate.LegendText = "learning rate (right)";
            rate.LinePattern = LinePattern.Dashed;
            rate.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "learning rate";
        }
        plot.Axes.Left.Label.Text = "value (log scale)";
        plot.Axes.Bottom.Label.Text = "step";
        plot.Title("training loss");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(pngPath, width, height);
        return true;
    }

    private static void Add(Plot plot, double[] x, double[] y, string label)
    {
        // Loss spans decades early in a run: plot log10 so the tail stays readable.
        var logY = y.Select(v => v > 0 ? Math.Log10(v) : double.NaN).ToArray();
        var line = plot.Add.ScatterLine(x, logY);
        line.LegendText = label;
    }
}
