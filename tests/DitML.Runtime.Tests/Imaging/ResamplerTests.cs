using DitML.Imaging;

namespace DitML.Runtime.Tests.Imaging;

[TestClass]
public sealed class ResamplerTests
{
    [TestMethod]
    public void MatchesPillowExactly()
    {
        // Box halving (even and odd sizes), antialiased bicubic shrink, bicubic enlargement and bilinear, RGB and L,
        // all made by Pillow 9.4's Image.resize in make_data_fixtures.py.
        int checkedCases = 0;
        foreach (var c in DataFixtures.Cases("resizes"))
        {
            int channels = c.GetProperty("channels").GetInt32();
            var source = ImageDecoder.Decode(DataFixtures.Path_("resize", c.GetProperty("file").GetString()!), channels);
            var filter = Enum.Parse<ResampleFilter>(c.GetProperty("filter").GetString()!, ignoreCase: true);
            var result = Resampler.Resize(source, c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(), filter);
            var (max, count) = DataFixtures.Diff(DataFixtures.Expected(c.GetProperty("expected").GetString()!), result.Pixels);
            Assert.AreEqual(0, max, $"{c.GetProperty("expected").GetString()}: {count} values differ, by up to {max}");
            checkedCases++;
        }
        Assert.AreEqual(8, checkedCases);
    }

    [TestMethod]
    public void ExactBoxHalvingIsTheRoundedMeanOfTwoByTwoBlocks()
    {
        // 4×2 grayscale → 2×1: blocks {0, 1, 10, 12} and {2, 3, 255, 255}; PIL rounds half up.
        var image = new ByteImage(4, 2, 1, [0, 1, 2, 3, 10, 12, 255, 255]);
        var half = Resampler.Resize(image, 2, 1, ResampleFilter.Box);
        // means 5.75 → 6 and 128.75 → 129 (rounded per pass: rows give 0.5→1, 2.5→3, 11, 255; then (1+11)/2=6, (3+255)/2=129)
        CollectionAssert.AreEqual(new byte[] { 6, 129 }, half.Pixels);
    }

    [TestMethod]
    public void SameSizeIsACopy()
    {
        var image = new ByteImage(2, 2, 1, [1, 2, 3, 4]);
        var same = Resampler.Resize(image, 2, 2, ResampleFilter.Bicubic);
        Assert.AreNotSame(image.Pixels, same.Pixels);
        CollectionAssert.AreEqual(image.Pixels, same.Pixels);
    }

    [TestMethod]
    public void ConstantImagesStayConstant()
    {
        var image = new ByteImage(37, 23, 3);
        image.Pixels.AsSpan().Fill(200);
        foreach (var f in Enum.GetValues<ResampleFilter>())
        {
            Assert.IsTrue(Resampler.Resize(image, 11, 7, f).Pixels.All(v => v == 200), $"{f} shrink");
            Assert.IsTrue(Resampler.Resize(image, 50, 40, f).Pixels.All(v => v == 200), $"{f} enlarge");
        }
    }

    [TestMethod]
    public void RejectsBadSizes()
    {
        var image = new ByteImage(4, 4, 1);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Resampler.Resize(image, 0, 3, ResampleFilter.Box));
    }
}
