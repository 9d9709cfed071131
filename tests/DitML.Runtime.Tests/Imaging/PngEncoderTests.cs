using DitML.Imaging;

namespace DitML.Runtime.Tests.Imaging;

[TestClass]
public sealed class PngEncoderTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    public void WrittenPngReadsBackIdentically(int channels)
    {
        var image = new ByteImage(7, 5, channels);
        var rng = new Random(3);
        rng.NextBytes(image.Pixels);
        using var temp = DataFixtures.NewTempFolder();
        var path = Path.Combine(temp.Path, "sub", "img.png");
        PngEncoder.Write(image, path);
        var back = ImageDecoder.Decode(path, channels);
        Assert.AreEqual(7, back.Width);
        Assert.AreEqual(5, back.Height);
        CollectionAssert.AreEqual(image.Pixels, back.Pixels);
        Assert.AreEqual(1, Directory.GetFiles(Path.GetDirectoryName(path)!).Length, "no temporary file is left behind");
    }

    [TestMethod]
    public void GrayscaleIsStoredAsOneChannelAndRgbWithoutAlpha()
    {
        // PNG IHDR colour type (byte 25): 0 = grayscale, 2 = truecolour; bit depth (byte 24) 8.
        var gray = PngEncoder.Encode(new ByteImage(3, 2, 1));
        var rgb = PngEncoder.Encode(new ByteImage(3, 2, 3));
        Assert.AreEqual((byte)8, gray[24]);
        Assert.AreEqual((byte)0, gray[25]);
        Assert.AreEqual((byte)2, rgb[25]);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, rgb[..4]);
    }

    [TestMethod]
    public void FloatTensorSurvivesPngAtEightBits()
    {
        // (C=3, H=2, W=2) in [−1, 1] → PNG → bytes → floats: within half a level (1/127.5) of the input.
        var chw = new float[] { -1f, -0.3f, 0.2f, 1f, 0.9f, -0.9f, 0.01f, 0.5f, -0.6f, 0.33f, 0f, 0.7f };
        var bytes = PngEncoder.Encode(ByteImage.FromChw(chw, 3, 2, 2));
        var back = ImageDecoder.Decode(bytes, 3).ToChw();
        for (int i = 0; i < chw.Length; i++) Assert.AreEqual(chw[i], back[i], 1f / 127.5f, $"value {i}");
    }

    [TestMethod]
    public void OverwritesAnExistingFile()
    {
        using var temp = DataFixtures.NewTempFolder();
        var path = Path.Combine(temp.Path, "x.png");
        PngEncoder.Write(new ByteImage(2, 2, 1), path);
        var white = new ByteImage(2, 2, 1, [255, 255, 255, 255]);
        PngEncoder.Write(white, path);
        CollectionAssert.AreEqual(white.Pixels, ImageDecoder.Decode(path, 1).Pixels);
    }
}
