using System.Globalization;
using System.Net;
using System.Text;

namespace DitML.Interactive;

/// <summary>
/// A line chart of a training curve (step, loss) for a notebook, drawn as inline SVG: no plotting package, and the chart
/// stays sharp at any zoom. The y axis spans the data's range, so a falling loss is visible whatever its scale.
/// </summary>
public sealed class LossChart
{
    /// <summary>A chart of <paramref name="points"/> (x ascending, e.g. the step) titled <paramref name="title"/>.</summary>
    public LossChart(IReadOnlyList<(double X, double Y)> points, string title = "loss")
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(title);
        if (points.Count == 0) throw new ArgumentException("A chart needs at least one point.", nameof(points));
        foreach (var (x, y) in points)
            if (!double.IsFinite(x) || !double.IsFinite(y))
                throw new ArgumentException($"Point ({x}, {y}) is not finite; a diverged run cannot be drawn.", nameof(points));
        Points = points;
        Title = title;
    }

    /// <summary>The points, in drawing order.</summary>
    public IReadOnlyList<(double X, double Y)> Points { get; }

    /// <summary>The title above the chart.</summary>
    public string Title { get; }

    /// <summary>The chart as an SVG element of <paramref name="width"/>×<paramref name="height"/> pixels.</summary>
    public string ToSvg(int width = 480, int height = 240)
    {
        if (width < 100 || height < 80) throw new ArgumentOutOfRangeException(nameof(width), $"{width}×{height} is too small for a chart (at least 100×80).");
        var inv = CultureInfo.InvariantCulture;
        const int left = 60, right = 12, top = 24, bottom = 28;
        double x0 = Points.Min(p => p.X), x1 = Points.Max(p => p.X), y0 = Points.Min(p => p.Y), y1 = Points.Max(p => p.Y);
        // A single point or a flat curve still needs a non-empty range to divide by.
        if (x1 == x0) x1 = x0 + 1;
        if (y1 == y0) (y0, y1) = (y0 - 0.5, y1 + 0.5);
        double plotW = width - left - right, plotH = height - top - bottom;
        string Px(double x) => (left + (x - x0) / (x1 - x0) * plotW).ToString("F1", inv);
        string Py(double y) => (top + (y1 - y) / (y1 - y0) * plotH).ToString("F1", inv);

        var svg = new StringBuilder();
        svg.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append(inv, $"<text x=\"{width / 2}\" y=\"15\" text-anchor=\"middle\" font-size=\"13\">{WebUtility.HtmlEncode(Title)}</text>");
        svg.Append(inv, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#999\" />");
        svg.Append(inv, $"<text x=\"{left - 4}\" y=\"{top + 4}\" text-anchor=\"end\">{y1:G4}</text>");
        svg.Append(inv, $"<text x=\"{left - 4}\" y=\"{top + plotH}\" text-anchor=\"end\">{y0:G4}</text>");
        svg.Append(inv, $"<text x=\"{left}\" y=\"{height - 8}\">{x0:G6}</text>");
        svg.Append(inv, $"<text x=\"{left + plotW}\" y=\"{height - 8}\" text-anchor=\"end\">{x1:G6}</text>");
        svg.Append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"");
        foreach (var (x, y) in Points) svg.Append(Px(x)).Append(',').Append(Py(y)).Append(' ');
        svg.Append("\" />");
        if (Points.Count == 1) svg.Append(inv, $"<circle cx=\"{Px(Points[0].X)}\" cy=\"{Py(Points[0].Y)}\" r=\"3\" fill=\"#1f77b4\" />");
        return svg.Append("</svg>").ToString();
    }
}
