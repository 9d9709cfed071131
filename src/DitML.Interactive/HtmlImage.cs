using System.Globalization;
using System.Net;
using DitML.Imaging;

namespace DitML.Interactive;

/// <summary>
/// Renders a <see cref="ByteImage"/> as an HTML <c>&lt;img&gt;</c> whose source is the PNG itself (a base64
/// <c>data:</c> URI), so a notebook keeps its pictures without side files. Enlargement is done by the browser
/// (<c>image-rendering: pixelated</c>), not in the PNG, so a 28×28 sample stays a 28×28 PNG of a few hundred bytes.
/// </summary>
public static class HtmlImage
{
    /// <summary>The on-screen size that <see cref="AutoScale"/> aims for, in CSS pixels along the longer side.</summary>
    public const int TargetDisplaySize = 640;

    /// <summary>The largest enlargement <see cref="AutoScale"/> picks.</summary>
    public const int MaxScale = 8;

    /// <summary>The <c>data:image/png;base64,…</c> URI of <paramref name="image"/> encoded by <see cref="PngEncoder"/>.</summary>
    public static string DataUri(ByteImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return "data:image/png;base64," + Convert.ToBase64String(PngEncoder.Encode(image));
    }

    /// <summary>
    /// An integer enlargement that shows small images at a readable size: ⌊<see cref="TargetDisplaySize"/> / longer side⌋,
    /// clamped to [1, <see cref="MaxScale"/>]. Integer factors keep every source pixel a square of equal size.
    /// </summary>
    public static int AutoScale(int width, int height)
    {
        int side = Math.Max(1, Math.Max(width, height));
        return Math.Clamp(TargetDisplaySize / side, 1, MaxScale);
    }

    /// <summary>
    /// An <c>&lt;img&gt;</c> element showing <paramref name="image"/> enlarged <paramref name="scale"/> times
    /// (null: <see cref="AutoScale"/>), with <paramref name="alt"/> as its HTML-encoded alternative text.
    /// </summary>
    public static string ImgTag(ByteImage image, int? scale = null, string? alt = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        int s = scale ?? AutoScale(image.Width, image.Height);
        if (s <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be positive.");
        var inv = CultureInfo.InvariantCulture;
        string altText = WebUtility.HtmlEncode(alt ?? $"{image.Width}×{image.Height} image");
        return string.Create(inv,
            $"<img src=\"{DataUri(image)}\" width=\"{image.Width * s}\" height=\"{image.Height * s}\" alt=\"{altText}\" style=\"image-rendering: pixelated;\" />");
    }
}
