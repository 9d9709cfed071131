using DitML.Data;

namespace DitML.Runtime.Tests.Data;

[TestClass]
public sealed class FashionMnistTests
{
    [TestMethod]
    public void ClassNamesAreTheTenOfficialOnes()
    {
        CollectionAssert.AreEqual(
            new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" },
            FashionMnist.ClassNames.ToArray());
        Assert.AreEqual("/usr/share/datasets/fashion-mnist", FashionMnist.DefaultDirectory);
    }

    [TestMethod]
    public void RealDatasetHasTheKnownCountsAndBalancedLabels()
    {
        if (!Directory.Exists(FashionMnist.DefaultDirectory))
        {
            Assert.Inconclusive($"Fashion-MNIST is not installed at {FashionMnist.DefaultDirectory} (Debian package dataset-fashion-mnist); skipped.");
            return;
        }
        var train = FashionMnist.Load(IdxSplit.Train);
        var test = FashionMnist.Load(IdxSplit.Test);
        Assert.AreEqual(60000, train.Count);
        Assert.AreEqual(10000, test.Count);
        Assert.AreEqual(28, train.Height);
        Assert.AreEqual(28, train.Width);
        CollectionAssert.AreEqual(Enumerable.Repeat(6000, 10).ToArray(), Histogram(train.Labels));
        CollectionAssert.AreEqual(Enumerable.Repeat(1000, 10).ToArray(), Histogram(test.Labels));
        // First labels and the first image's pixel sum, read independently with numpy from the .gz files.
        CollectionAssert.AreEqual(new byte[] { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 }, train.Labels[..10]);
        CollectionAssert.AreEqual(new byte[] { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 }, test.Labels[..10]);
        Assert.AreEqual(76247, train.Images.AsSpan(0, 784).ToArray().Sum(b => b));
        Assert.AreEqual("Ankle boot", train.ClassNames[train.GetLabel(0)]);
    }

    private static int[] Histogram(byte[] labels)
    {
        var h = new int[10];
        foreach (var l in labels) h[l]++;
        return h;
    }
}
