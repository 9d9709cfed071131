using System.Text.RegularExpressions;
using DitML.Imaging;

namespace DitML.Interactive.Tests.Formatting;

/// <summary>An <c>&lt;img&gt;</c> of formatter output: its decoded PNG and the size it is shown at.</summary>
public sealed record EmbeddedImage(ByteImage Image, int DisplayWidth, int DisplayHeight, string Alt);

/// <summary>Finds the inline PNG images in HTML and decodes them, so tests check pictures rather than strings.</summary>
public static partial class EmbeddedImages
{
    [GeneratedRegex("<img src=\"data:image/png;base64,(?<data>[A-Za-z0-9+/=]+)\" width=\"(?<w>\\d+)\" height=\"(?<h>\\d+)\" alt=\"(?<alt>[^\"]*)\"")]
    private static partial Regex ImgTag();

    /// <summary>Every inline PNG in <paramref name="html"/>, decoded (throws if one is not a valid PNG).</summary>
    public static IReadOnlyList<EmbeddedImage> Find(string html)
    {
        var found = new List<EmbeddedImage>();
        foreach (Match m in ImgTag().Matches(html))
        {
            byte[] png = Convert.FromBase64String(m.Groups["data"].Value);
            // The PNG signature: a data URI that merely claims to be PNG fails here.
            CollectionAssert.AreEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png.Take(8).ToArray(), "not a PNG signature");
            var image = ImageDecoder.Decode(png, channels: 3, sourceName: "formatter output");
            found.Add(new EmbeddedImage(image, int.Parse(m.Groups["w"].Value), int.Parse(m.Groups["h"].Value), m.Groups["alt"].Value));
        }
        return found;
    }
}
