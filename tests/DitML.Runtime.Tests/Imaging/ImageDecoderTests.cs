using DitML.Imaging;

namespace DitML.Runtime.Tests.Imaging;

[TestClass]
public sealed class ImageDecoderTests
{
    [TestMethod]
    public void PngDecodesToPillowsRgbExactly()
    {
        // RGB, grayscale (L) and RGBA PNGs: Pillow's convert("RGB") repeats gray and drops alpha.
        foreach (var c in DataFixtures.Cases("decodes").Where(c => c.GetProperty("file").GetString()!.EndsWith(".png")))
        {
            var image = ImageDecoder.Decode(DataFixtures.Path_("folder", c.GetProperty("file").GetString()!));
            Assert.AreEqual(c.GetProperty("width").GetInt32(), image.Width);
            Assert.AreEqual(c.GetProperty("height").GetInt32(), image.Height);
            CollectionAssert.AreEqual(DataFixtures.Expected(c.GetProperty("expected").GetString()!), image.Pixels, c.GetProperty("file").GetString());
        }
    }

    [TestMethod]
    public void JpegDecodesWithinOneLevelOfPillow()
    {
        var c = DataFixtures.Cases("decodes").Single(c => c.GetProperty("file").GetString()!.EndsWith(".jpg"));
        var image = ImageDecoder.Decode(DataFixtures.Path_("folder", c.GetProperty("file").GetString()!));
        Assert.AreEqual(70, image.Width);
        Assert.AreEqual(40, image.Height);
        var (max, _) = DataFixtures.Diff(DataFixtures.Expected(c.GetProperty("expected").GetString()!), image.Pixels);
        Assert.IsLessThanOrEqualTo(1, max);
    }

    [TestMethod]
    public void TruncatedFileIsAnErrorNamingIt()
    {
        using var dirTemp = DataFixtures.NewTempFolder();
        var dir = dirTemp.Path;
        var path = Path.Combine(dir, "cut.png");
        var bytes = File.ReadAllBytes(DataFixtures.Path_("folder", "cat", "sub", "b_90x64.png"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Decode(path));
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void NonImageAndMissingFilesAreErrors()
    {
        var notes = DataFixtures.Path_("folder", "Zebra", "notes.txt");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Decode(notes));
        StringAssert.Contains(e.Message, notes);
        Assert.ThrowsExactly<FileNotFoundException>(() => ImageDecoder.Decode(DataFixtures.Path_("folder", "nope.png")));
        Assert.ThrowsExactly<InvalidDataException>(() => ImageDecoder.Decode(ReadOnlySpan<byte>.Empty, 3, "empty"));
    }
}
