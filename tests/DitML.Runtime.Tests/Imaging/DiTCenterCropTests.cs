using DitML.Imaging;

namespace DitML.Runtime.Tests.Imaging;

[TestClass]
public sealed class DiTCenterCropTests
{
    [TestMethod]
    public void PngCropsMatchPillowExactly()
    {
        // center_crop_arr(img.convert(mode), 16) from DiT, run by Pillow 9.4 on 50×37, 90×64 (one halving),
        // 200×150 (two halvings), portrait, grayscale and RGBA sources.
        int n = 0;
        foreach (var c in DataFixtures.Cases("crops").Where(c => c.GetProperty("file").GetString()!.EndsWith(".png")))
        {
            var actual = Crop(c.GetProperty("file").GetString()!, c.GetProperty("channels").GetInt32(), c.GetProperty("size").GetInt32());
            var (max, count) = DataFixtures.Diff(DataFixtures.Expected(c.GetProperty("expected").GetString()!), actual.Pixels);
            Assert.AreEqual(0, max, $"{c.GetProperty("expected").GetString()}: {count} values differ, by up to {max}");
            n++;
        }
        Assert.AreEqual(12, n);
    }

    [TestMethod]
    public void JpegCropsAreWithinOneLevelOfPillow()
    {
        // SkiaSharp and Pillow each bundle their own libjpeg build; decoded pixels may differ by a level or so.
        foreach (var c in DataFixtures.Cases("crops").Where(c => c.GetProperty("file").GetString()!.EndsWith(".jpg")))
        {
            var actual = Crop(c.GetProperty("file").GetString()!, c.GetProperty("channels").GetInt32(), 16);
            var (max, _) = DataFixtures.Diff(DataFixtures.Expected(c.GetProperty("expected").GetString()!), actual.Pixels);
            Assert.IsLessThanOrEqualTo(1, max, c.GetProperty("expected").GetString());
        }
    }

    [TestMethod]
    public void OutputIsSquareOfTheTargetSize()
    {
        var wide = new ByteImage(300, 40, 3);
        var crop = DiTCenterCrop.Apply(wide, 32);
        Assert.AreEqual(32, crop.Width);
        Assert.AreEqual(32, crop.Height);
        var small = DiTCenterCrop.Apply(new ByteImage(5, 7, 1), 16); // enlarges
        Assert.AreEqual(16, small.Width);
        Assert.AreEqual(16, small.Height);
    }

    [TestMethod]
    public void CropIsCentered()
    {
        // 40×20 → target 20: no resize (short side already 20), crop x offset (40 − 20)/2 = 10.
        var image = new ByteImage(40, 20, 1);
        for (int y = 0; y < 20; y++) for (int x = 0; x < 40; x++) image.Pixels[y * 40 + x] = (byte)x;
        var crop = DiTCenterCrop.Apply(image, 20);
        Assert.AreEqual((byte)10, crop[0, 0]);
        Assert.AreEqual((byte)29, crop[19, 19]);
    }

    private static ByteImage Crop(string file, int channels, int size) =>
        DiTCenterCrop.Apply(ImageDecoder.Decode(DataFixtures.Path_("folder", file), channels), size);
}
