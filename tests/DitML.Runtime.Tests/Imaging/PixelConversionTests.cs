using DitML.Imaging;

namespace DitML.Runtime.Tests.Imaging;

[TestClass]
public sealed class PixelConversionTests
{
    [TestMethod]
    public void EveryByteSurvivesTheRoundTrip()
    {
        for (int v = 0; v < 256; v++)
            Assert.AreEqual((byte)v, PixelConversion.ToByte(PixelConversion.ToFloat((byte)v)), $"byte {v}");
    }

    [TestMethod]
    public void ToByteIsTheSamplersClampAndTruncate()
    {
        // torch.clamp(127.5 * x + 128.0, 0, 255).to(torch.uint8)
        Assert.AreEqual((byte)0, PixelConversion.ToByte(-1f));
        Assert.AreEqual((byte)128, PixelConversion.ToByte(0f));
        Assert.AreEqual((byte)255, PixelConversion.ToByte(1f), "255.5 clamps to 255");
        Assert.AreEqual((byte)0, PixelConversion.ToByte(-5f));
        Assert.AreEqual((byte)255, PixelConversion.ToByte(7f));
        Assert.AreEqual((byte)0, PixelConversion.ToByte(float.NegativeInfinity));
        Assert.AreEqual((byte)255, PixelConversion.ToByte(float.PositiveInfinity));
        Assert.AreEqual((byte)0, PixelConversion.ToByte(float.NaN));
        // 127.5·0.5 + 128 = 191.75 → 191 (truncation, not rounding); 127.5·(−0.5) + 128 = 64.25 → 64
        Assert.AreEqual((byte)191, PixelConversion.ToByte(0.5f));
        Assert.AreEqual((byte)64, PixelConversion.ToByte(-0.5f));
        // just below −1: 127.5·(−1.0039216) + 128 = −0.5 → clamped to 0, not wrapped
        Assert.AreEqual((byte)0, PixelConversion.ToByte(-1.0039216f));
    }

    [TestMethod]
    public void ToFloatMapsTheEndsToMinusOneAndOne()
    {
        Assert.AreEqual(-1f, PixelConversion.ToFloat(0));
        Assert.AreEqual(1f, PixelConversion.ToFloat(255));
        Assert.AreEqual(128 / 127.5f - 1f, PixelConversion.ToFloat(128));
    }

    [TestMethod]
    public void LayoutsTransposeBothWays()
    {
        // (C=2, H=2, W=3) with value = 100c + 10y + x
        var chw = new int[12];
        for (int c = 0; c < 2; c++) for (int y = 0; y < 2; y++) for (int x = 0; x < 3; x++) chw[c * 6 + y * 3 + x] = 100 * c + 10 * y + x;
        var hwc = new int[12];
        PixelConversion.ChwToHwc<int>(chw, hwc, 2, 2, 3);
        CollectionAssert.AreEqual(new[] { 0, 100, 1, 101, 2, 102, 10, 110, 11, 111, 12, 112 }, hwc);
        var back = new int[12];
        PixelConversion.HwcToChw<int>(hwc, back, 2, 2, 3);
        CollectionAssert.AreEqual(chw, back);
    }

    [TestMethod]
    public void FusedConversionsMatchTheElementwiseOnes()
    {
        var chw = new float[] { -1f, 0f, 1f, 2f, -0.5f, 0.25f }; // (C=3, H=1, W=2)
        var hwc = new byte[6];
        PixelConversion.ChwToHwcBytes(chw, hwc, 3, 1, 2);
        CollectionAssert.AreEqual(new byte[] { 0, 255, 64, 128, 255, 159 }, hwc);
        var again = new float[6];
        PixelConversion.HwcBytesToChw(hwc, again, 3, 1, 2);
        CollectionAssert.AreEqual(new[] { -1f, PixelConversion.ToFloat(128), 1f, 1f, PixelConversion.ToFloat(64), PixelConversion.ToFloat(159) }, again);
    }

    [TestMethod]
    public void WrongLengthsAreRejectedWithTheShape()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => PixelConversion.ChwToHwc<float>(new float[5], new float[6], 3, 1, 2));
        StringAssert.Contains(e.Message, "(3, 1, 2)");
        Assert.ThrowsExactly<ArgumentException>(() => PixelConversion.ToBytes(new float[3], new byte[2]));
    }

    [TestMethod]
    public void ByteImageConvertsChannelsLikePil()
    {
        var rgb = new ByteImage(2, 1, 3, [255, 0, 0, 10, 200, 30]);
        var gray = rgb.ToChannels(1);
        // PIL convert("L"): (19595 R + 38470 G + 7471 B + 32768) >> 16
        CollectionAssert.AreEqual(new byte[] { 76, 124 }, gray.Pixels, "values from Pillow 9.4");
        CollectionAssert.AreEqual(new byte[] { 76, 76, 76, 124, 124, 124 }, gray.ToChannels(3).Pixels);
        Assert.AreSame(rgb, rgb.ToChannels(3));
        var grayRoundTrip = new ByteImage(3, 1, 1, [0, 77, 255]).ToChannels(3).ToChannels(1);
        CollectionAssert.AreEqual(new byte[] { 0, 77, 255 }, grayRoundTrip.Pixels, "gray RGB keeps its value");
    }

    [TestMethod]
    public void ByteImageCropsFlipsAndConvertsToChw()
    {
        // 3×2 grayscale: row 0 = 1 2 3, row 1 = 4 5 6
        var image = new ByteImage(3, 2, 1, [1, 2, 3, 4, 5, 6]);
        CollectionAssert.AreEqual(new byte[] { 2, 3, 5, 6 }, image.Crop(1, 0, 2, 2).Pixels);
        CollectionAssert.AreEqual(new byte[] { 3, 2, 1, 6, 5, 4 }, image.FlipHorizontal().Pixels);
        Assert.AreEqual((byte)6, image[2, 1]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => image.Crop(2, 0, 2, 2));
        var chw = image.ToChw();
        Assert.AreEqual(PixelConversion.ToFloat(4), chw[3]);
        CollectionAssert.AreEqual(image.Pixels, ByteImage.FromChw(chw, 1, 2, 3).Pixels);
    }

    [TestMethod]
    public void FlipReversesEveryRowOfEveryChannel()
    {
        var t = Enumerable.Range(0, 12).Select(i => (float)i).ToArray(); // (2, 2, 3)
        HorizontalFlip.InPlace<float>(t, 2, 2, 3);
        CollectionAssert.AreEqual(new float[] { 2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9 }, t);
    }
}
