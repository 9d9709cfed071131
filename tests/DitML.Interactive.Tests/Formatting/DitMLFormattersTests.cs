using DitML.Imaging;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.ML.Data;

namespace DitML.Interactive.Tests.Formatting;

[TestClass]
public sealed class DitMLFormattersTests
{
    [TestInitialize]
    public void Register() => DitMLFormatters.Register();

    private static ByteImage Gradient(int width, int height)
    {
        var image = new ByteImage(width, height, 1);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) image.Pixels[y * width + x] = (byte)((x * 7 + y * 13) % 256);
        return image;
    }

    [TestMethod]
    public void AByteImageDisplaysAsItsOwnPixelsInAnInlinePng()
    {
        var image = Gradient(28, 20);
        string html = DitMLFormatters.ToHtml(image);

        var shown = EmbeddedImages.Find(html).Single();
        Assert.AreEqual(28, shown.Image.Width);
        Assert.AreEqual(20, shown.Image.Height);
        // Grayscale decoded as RGB repeats the value: the PNG holds exactly the image's bytes.
        CollectionAssert.AreEqual(image.Pixels, shown.Image.ToChannels(1).Pixels);
        // Small images are enlarged by the browser, by an integer factor, not in the PNG.
        Assert.AreEqual(28 * HtmlImage.AutoScale(28, 20), shown.DisplayWidth);
        Assert.AreEqual(20 * HtmlImage.AutoScale(28, 20), shown.DisplayHeight);
        Assert.IsTrue(HtmlImage.AutoScale(28, 20) > 1);
    }

    [TestMethod]
    public void RegisteringTwiceAndResettingKeepsOneWorkingFormatter()
    {
        DitMLFormatters.Register();
        Assert.AreEqual(1, EmbeddedImages.Find(DitMLFormatters.ToHtml(Gradient(4, 4))).Count);
        Formatter.ResetToDefault();
        Assert.AreEqual(0, EmbeddedImages.Find(DitMLFormatters.ToHtml(Gradient(4, 4))).Count, "without registration the default table formatter is used");
        DitMLFormatters.Register();
        Assert.AreEqual(1, EmbeddedImages.Find(DitMLFormatters.ToHtml(Gradient(4, 4))).Count);
    }

    [TestMethod]
    public void AGalleryWithCaptionsShowsOneRowImagePerCaption()
    {
        // 5 images of 6×6 in rows of 2: 3 rows, the last one short.
        var pixels = Enumerable.Range(0, 5).Select(k => Enumerable.Range(0, 36).Select(i => (i + k) % 5 / 2f - 1f).ToArray());
        var gallery = ImageGallery.FromPixels(pixels, columns: 2, rowCaptions: ["T-shirt/top", "Bag", "<b>escaped</b>"]);
        string html = DitMLFormatters.ToHtml(gallery);

        var rows = EmbeddedImages.Find(html);
        Assert.AreEqual(3, rows.Count);
        // Row strips in make_grid geometry: 2 tiles are 2·(6+2)+2 wide, the short last row 6+4; one tile high.
        CollectionAssert.AreEqual(new[] { 18, 18, 10 }, rows.Select(r => r.Image.Width).ToArray());
        Assert.IsTrue(rows.All(r => r.Image.Height == 10));
        // All rows share one enlargement, so tiles line up.
        Assert.AreEqual(1, rows.Select(r => r.DisplayWidth / r.Image.Width).Distinct().Count());
        Assert.AreEqual("T-shirt/top", rows[0].Alt);
        Assert.IsFalse(html.Contains("<b>escaped</b>"), "captions must be HTML-encoded");
        Assert.IsTrue(html.Contains("&lt;b&gt;escaped&lt;/b&gt;"));
        // The first tile's first pixel, quantized as the sampler does: −1 → 0 after the 2-pixel padding.
        Assert.AreEqual(ByteImage.FromChw(pixels.First(), 1, 6, 6)[0, 0], rows[0].Image[2, 2, 0]);
    }

    [TestMethod]
    public void AGalleryWithoutCaptionsIsOneGridImage()
    {
        var images = Enumerable.Range(0, 10).Select(_ => Gradient(8, 8)).ToArray();
        var shown = EmbeddedImages.Find(DitMLFormatters.ToHtml(new ImageGallery(images, columns: 4, scale: 3))).Single();
        Assert.AreEqual(4 * 10 + 2, shown.Image.Width);
        Assert.AreEqual(3 * 10 + 2, shown.Image.Height);
        Assert.AreEqual(3 * shown.Image.Width, shown.DisplayWidth);
    }

    [TestMethod]
    public void AGalleryRefusesCaptionsThatDoNotMatchItsRows()
    {
        var images = Enumerable.Range(0, 4).Select(_ => Gradient(3, 3)).ToArray();
        var e = Assert.ThrowsExactly<ArgumentException>(() => new ImageGallery(images, columns: 2, rowCaptions: ["only one"]));
        StringAssert.Contains(e.Message, "2 rows");
    }

    [TestMethod]
    public void AnMLImageDisplaysAsAPngOfItsSize()
    {
        // BGRA: a red square with a blue top-left pixel.
        int w = 5, h = 3;
        var bgra = new byte[w * h * 4];
        for (int i = 0; i < w * h; i++) (bgra[4 * i], bgra[4 * i + 1], bgra[4 * i + 2], bgra[4 * i + 3]) = ((byte)0, (byte)0, (byte)255, (byte)255);
        bgra[0] = 255; bgra[2] = 0;
        using var image = MLImage.CreateFromPixels(w, h, MLPixelFormat.Bgra32, bgra);

        var shown = EmbeddedImages.Find(DitMLFormatters.ToHtml(image)).Single();
        Assert.AreEqual(w, shown.Image.Width);
        Assert.AreEqual(h, shown.Image.Height);
        Assert.AreEqual(255, shown.Image[1, 1, 0], "red");
        Assert.AreEqual(0, shown.Image[1, 1, 2]);
        Assert.AreEqual(255, shown.Image[0, 0, 2], "blue top-left");
    }

    [TestMethod]
    public void ALossChartIsAnSvgPolylineThroughEveryPoint()
    {
        var chart = new LossChart([(1, 0.9), (2, 0.5), (3, 0.4)], "training <loss>");
        string html = DitMLFormatters.ToHtml(chart);
        StringAssert.StartsWith(html, "<svg");
        StringAssert.Contains(html, "training &lt;loss&gt;");
        string points = System.Text.RegularExpressions.Regex.Match(html, "points=\"([^\"]*)\"").Groups[1].Value;
        Assert.AreEqual(3, points.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.ThrowsExactly<ArgumentException>(() => new LossChart([(1, double.NaN)]));
    }
}
