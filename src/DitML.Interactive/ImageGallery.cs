using System.Net;
using System.Text;
using DitML.Imaging;

namespace DitML.Interactive;

/// <summary>
/// Generated images laid out as a grid for a notebook, optionally with a caption per row (e.g. the class each row was
/// asked for). Displayed as one PNG per row next to its caption, or as one PNG when there are no captions.
/// </summary>
public sealed class ImageGallery
{
    /// <summary>Lays <paramref name="images"/> (same size and channels) out <paramref name="columns"/> per row.</summary>
    /// <param name="images">The tiles, row by row.</param>
    /// <param name="columns">Tiles per row.</param>
    /// <param name="rowCaptions">One caption per row (⌈n / columns⌉ of them), or null for none.</param>
    /// <param name="scale">Enlargement in the notebook; null picks one from the grid's size.</param>
    public ImageGallery(IReadOnlyList<ByteImage> images, int columns, IReadOnlyList<string>? rowCaptions = null, int? scale = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("A gallery needs at least one image.", nameof(images));
        if (columns <= 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be positive.");
        if (scale is <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be positive.");
        int rows = (images.Count + columns - 1) / columns;
        if (rowCaptions is not null && rowCaptions.Count != rows)
            throw new ArgumentException($"{images.Count} images in rows of {columns} make {rows} rows, but {rowCaptions.Count} captions were given.", nameof(rowCaptions));
        Images = images;
        Columns = columns;
        RowCaptions = rowCaptions;
        Scale = scale;
    }

    /// <summary>The tiles, row by row.</summary>
    public IReadOnlyList<ByteImage> Images { get; }

    /// <summary>Tiles per row.</summary>
    public int Columns { get; }

    /// <summary>One caption per row, or null.</summary>
    public IReadOnlyList<string>? RowCaptions { get; }

    /// <summary>Enlargement in the notebook; null picks one from the grid's size.</summary>
    public int? Scale { get; }

    /// <summary>Rows of the grid.</summary>
    public int Rows => (Images.Count + Columns - 1) / Columns;

    /// <summary>
    /// A gallery of float CHW images in [−1, 1] — the <c>Pixels</c> column of <c>DiffusionGenerate</c> — quantized the
    /// way the sampler does (<see cref="ByteImage.FromChw"/>). Square images are assumed unless
    /// <paramref name="height"/>/<paramref name="width"/> are given.
    /// </summary>
    public static ImageGallery FromPixels(IEnumerable<float[]> pixels, int columns, IReadOnlyList<string>? rowCaptions = null,
        int channels = 1, int? height = null, int? width = null, int? scale = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3.");
        var images = new List<ByteImage>();
        foreach (var chw in pixels)
        {
            ArgumentNullException.ThrowIfNull(chw, nameof(pixels));
            int plane = chw.Length / channels;
            int h = height ?? (int)Math.Round(Math.Sqrt(plane));
            int w = width ?? (h == 0 ? 0 : plane / h);
            if (h <= 0 || (long)channels * h * w != chw.Length)
                throw new ArgumentException($"Image {images.Count} has {chw.Length} values, which is not {channels}×{h}×{w}; give height and width.", nameof(pixels));
            images.Add(ByteImage.FromChw(chw, channels, h, w));
        }
        return new ImageGallery(images, columns, rowCaptions, scale);
    }

    /// <summary>The whole grid as one image (torchvision <c>make_grid</c> geometry, 2-pixel black padding).</summary>
    public ByteImage ToImage() => ImageGrid.Compose(Images, Columns);

    /// <summary>The HTML shown by the notebook: one grid image, or a table of captioned rows.</summary>
    public string ToHtml()
    {
        if (RowCaptions is null)
            return HtmlImage.ImgTag(ToImage(), Scale, $"{Images.Count} images, {Columns} per row");
        // Every row uses the same scale, chosen from the whole grid, so rows line up.
        var whole = ToImage();
        int scale = Scale ?? HtmlImage.AutoScale(whole.Width, whole.Height);
        var html = new StringBuilder("<table style=\"border-collapse: collapse;\">");
        for (int r = 0; r < Rows; r++)
        {
            var row = Images.Skip(r * Columns).Take(Columns).ToArray();
            string caption = WebUtility.HtmlEncode(RowCaptions[r]);
            html.Append("<tr><th style=\"text-align: right; padding-right: 0.5em;\">").Append(caption).Append("</th><td style=\"padding: 0;\">")
                .Append(HtmlImage.ImgTag(ImageGrid.Compose(row, Columns), scale, RowCaptions[r]))
                .Append("</td></tr>");
        }
        return html.Append("</table>").ToString();
    }
}
