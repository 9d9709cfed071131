using DitML.Imaging;

namespace DitML.Runtime.Tests.Imaging;

[TestClass]
public sealed class ImageGridTests
{
    [TestMethod]
    public void GeometryFollowsMakeGrid()
    {
        // 5 images 3×2 (W×H), 3 columns, padding 2 → 2 rows; width 3·(3+2)+2 = 17, height 2·(2+2)+2 = 10.
        var images = Enumerable.Range(0, 5).Select(k => Solid(3, 2, 1, (byte)(10 * (k + 1)))).ToArray();
        var grid = ImageGrid.Compose(images, columns: 3);
        Assert.AreEqual(17, grid.Width);
        Assert.AreEqual(10, grid.Height);
        // image k at x = (k % 3)·5 + 2, y = (k / 3)·4 + 2
        Assert.AreEqual((byte)10, grid[2, 2]);
        Assert.AreEqual((byte)10, grid[4, 3]);
        Assert.AreEqual((byte)0, grid[5, 2], "padding right of image 0");
        Assert.AreEqual((byte)20, grid[7, 2]);
        Assert.AreEqual((byte)30, grid[12, 2]);
        Assert.AreEqual((byte)40, grid[2, 6]);
        Assert.AreEqual((byte)50, grid[9, 7]);
        Assert.AreEqual((byte)0, grid[12, 6], "the missing sixth tile stays padding");
        Assert.AreEqual((byte)0, grid[1, 1]);
        Assert.AreEqual((byte)0, grid[16, 9]);
        Assert.AreEqual((10 + 20 + 30 + 40 + 50) * 6, grid.Pixels.Sum(v => v), "every tile pixel lands once, the rest is padding 0");
    }

    [TestMethod]
    public void FewerImagesThanColumnsMakeOneRow()
    {
        var grid = ImageGrid.Compose([Solid(4, 4, 3, 1), Solid(4, 4, 3, 2)], columns: 8, padding: 2, padValue: 255);
        Assert.AreEqual(2 * 6 + 2, grid.Width);
        Assert.AreEqual(6 + 2, grid.Height);
        Assert.AreEqual(3, grid.Channels);
        Assert.AreEqual((byte)255, grid[0, 0, 2]);
        Assert.AreEqual((byte)2, grid[8, 2, 1]);
    }

    [TestMethod]
    public void BatchOfFloatsIsQuantizedAndTiled()
    {
        // (N=2, C=1, H=1, W=2): values −1, 1 | 0, 0.5 → bytes 0, 255 | 128, 191
        var grid = ImageGrid.FromBatch(new float[] { -1f, 1f, 0f, 0.5f }, 2, 1, 1, 2, columns: 2, padding: 1);
        Assert.AreEqual(2 * 3 + 1, grid.Width);
        Assert.AreEqual(1 + 2, grid.Height);
        CollectionAssert.AreEqual(new byte[] { 0, 0, 255, 0, 128, 191, 0 }, grid.Pixels.AsSpan(7, 7).ToArray());
    }

    [TestMethod]
    public void GridPngReadsBack()
    {
        var grid = ImageGrid.Compose([Solid(5, 5, 3, 9), Solid(5, 5, 3, 200), Solid(5, 5, 3, 77)], columns: 2);
        var back = ImageDecoder.Decode(PngEncoder.Encode(grid), 3);
        CollectionAssert.AreEqual(grid.Pixels, back.Pixels);
    }

    [TestMethod]
    public void MismatchedTilesAreRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Compose([Solid(2, 2, 1, 0), Solid(3, 2, 1, 0)]));
        StringAssert.Contains(e.Message, "Image 1");
        Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Compose(Array.Empty<ByteImage>()));
    }

    private static ByteImage Solid(int w, int h, int c, byte value)
    {
        var image = new ByteImage(w, h, c);
        image.Pixels.AsSpan().Fill(value);
        return image;
    }
}
