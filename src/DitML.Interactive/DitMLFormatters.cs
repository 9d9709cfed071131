using DitML.Imaging;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.ML.Data;

namespace DitML.Interactive;

/// <summary>
/// Registers DitML's notebook formatters with .NET Interactive: <see cref="ByteImage"/> (samples, grids from
/// <see cref="ImageGrid"/>), <see cref="ImageGallery"/>, <see cref="LossChart"/> and ML.NET's <see cref="MLImage"/> display inline as PNG
/// images instead of the default property table. Call <see cref="Register"/> once in a notebook after <c>#r</c>.
/// </summary>
public static class DitMLFormatters
{
    /// <summary>The MIME type the formatters write.</summary>
    public const string MimeType = "text/html";

    private static readonly object Gate = new();

    /// <summary>Registers the formatters (again after a <see cref="Formatter.ResetToDefault"/>; repeating is harmless).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            Formatter.Register<ByteImage>((image, writer) => writer.Write(HtmlImage.ImgTag(image)), MimeType);
            Formatter.Register<ImageGallery>((gallery, writer) => writer.Write(gallery.ToHtml()), MimeType);
            Formatter.Register<LossChart>((chart, writer) => writer.Write(chart.ToSvg()), MimeType);
            Formatter.Register<MLImage>((image, writer) => writer.Write(HtmlImage.ImgTag(MLImageConversion.ToByteImage(image))), MimeType);
            // The kernel picks a display format per type; make sure these types are shown as HTML, not as plain text.
            foreach (var type in new[] { typeof(ByteImage), typeof(ImageGallery), typeof(LossChart), typeof(MLImage) })
                Formatter.SetPreferredMimeTypesFor(type, MimeType);
        }
    }

    /// <summary>The HTML a notebook shows for <paramref name="value"/> (after <see cref="Register"/>).</summary>
    public static string ToHtml(object? value) => value.ToDisplayString(MimeType);
}
