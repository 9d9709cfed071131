using DitML.Data;

namespace DitML.Runtime.Tests.Data;

[TestClass]
public sealed class ImageDatasetExtensionsTests
{
    /// <summary>Five 1×1×2 items whose values are 10·index and 10·index + 1.</summary>
    private static InMemoryImageDataset Items() =>
        new(Enumerable.Range(0, 5).SelectMany(i => new float[] { 10 * i, 10 * i + 1 }).ToArray(), [0, 1, 0, 1, 0], 1, 1, 2, 2);

    [TestMethod]
    public void ARangeIsCopiedAsABatch()
    {
        var batch = new float[3 * 2];
        Items().CopyImages(1, 3, batch);
        CollectionAssert.AreEqual(new float[] { 10, 11, 20, 21, 30, 31 }, batch);
    }

    [TestMethod]
    public void IndicesAreCopiedInTheirOrder()
    {
        var batch = new float[3 * 2];
        Items().CopyImages([4, 0, 4], batch);
        CollectionAssert.AreEqual(new float[] { 40, 41, 0, 1, 40, 41 }, batch);
    }

    [TestMethod]
    public void ARangeOutsideOrATooSmallDestinationIsRefused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Items().CopyImages(3, 3, new float[6]));
        var error = Assert.ThrowsExactly<ArgumentException>(() => Items().CopyImages(0, 3, new float[5]));
        StringAssert.Contains(error.Message, "need 6 values");
        Assert.ThrowsExactly<ArgumentException>(() => Items().CopyImages([1, 2], new float[3]));
    }
}
