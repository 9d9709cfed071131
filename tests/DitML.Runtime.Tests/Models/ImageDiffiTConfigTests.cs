using DitML.Models;

namespace DitML.Runtime.Tests.Models;

/// <summary>Image-space DiffiT's named configs (the paper's stated facts) and parameter counts against the PyTorch reference.</summary>
[TestClass]
public sealed class ImageDiffiTConfigTests
{
    [TestMethod]
    public void Cifar10IsThePapersThreeStageWindowFourModel()
    {
        var c = ImageDiffiTConfig.FromName("DiffiT-CIFAR10");
        Assert.AreEqual(32, c.ImageSize);
        Assert.AreEqual(3, c.Stages);
        CollectionAssert.AreEqual(new[] { 32, 16, 8 }, Enumerable.Range(0, c.Stages).Select(c.Resolution).ToArray());
        CollectionAssert.AreEqual(new[] { 128, 256, 256 }, c.StageChannels.ToArray());
        Assert.AreEqual(4, c.WindowSize);
        Assert.AreEqual(512, c.TimeEmbedDim);
        Assert.IsFalse(c.Conditional, "the paper's model is unconditional");
        Assert.AreEqual("DiffiT-CIFAR10", c.Name);
        Assert.AreEqual(49, c.RelativePositionCount);
    }

    [TestMethod]
    public void Ffhq64IsThePapersFourStageWindowEightModel()
    {
        var c = ImageDiffiTConfig.FromName("diffit-ffhq64");
        CollectionAssert.AreEqual(new[] { 64, 32, 16, 8 }, Enumerable.Range(0, c.Stages).Select(c.Resolution).ToArray());
        CollectionAssert.AreEqual(new[] { 128, 256, 256, 256 }, c.StageChannels.ToArray());
        CollectionAssert.AreEqual(new[] { 1, 2, 2, 2 }, c.BlocksPerStage.ToArray());
        Assert.AreEqual(8, c.WindowSize);
        Assert.AreEqual("DiffiT-FFHQ64", c.Name);
    }

    [TestMethod]
    public void ParameterCountsEqualThePyTorchReference()
    {
        // sum(p.numel()) of tests/Fixtures/diffit/image_diffit_reference.py's ImageDiffiT with the same settings.
        Assert.AreEqual(18_694_955, ImageDiffiTComplexity.Parameters(ImageDiffiTConfig.Cifar10));
        Assert.AreEqual(26_024_247, ImageDiffiTComplexity.Parameters(ImageDiffiTConfig.Ffhq64));
        Assert.AreEqual(18_700_587, ImageDiffiTComplexity.Parameters(ImageDiffiTConfig.Cifar10 with { NumClasses = 10 }), "11 label rows of 512");
    }

    [TestMethod]
    public void JsonRoundTripsAndEqualityComparesTheLists()
    {
        var c = ImageDiffiTConfig.Ffhq64 with { NumClasses = 10, InChannels = 1 };
        var back = ImageDiffiTConfig.FromJson(c.ToJson());
        Assert.AreEqual(c, back);
        Assert.AreNotEqual(c, c with { BlocksPerStage = [2, 2, 2, 2] });
        Assert.IsNull(back.Name, "not one of the paper's configs");
    }

    [TestMethod]
    public void InvalidConfigsNameTheMember()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => (ImageDiffiTConfig.Cifar10 with { ImageSize = 28 }).Validate());
        StringAssert.Contains(e.Message, "WindowSize");
        StringAssert.Contains(e.Message, "resolution 14");
        e = Assert.ThrowsExactly<ArgumentException>(() => (ImageDiffiTConfig.Cifar10 with { BlocksPerStage = [2, 2] }).Validate());
        StringAssert.Contains(e.Message, "BlocksPerStage");
        e = Assert.ThrowsExactly<ArgumentException>(() => (ImageDiffiTConfig.Cifar10 with { GroupNormGroups = 48 }).Validate());
        StringAssert.Contains(e.Message, "GroupNormGroups");
        e = Assert.ThrowsExactly<ArgumentException>(() => ImageDiffiTConfig.FromName("DiffiT-CIFAR100"));
        StringAssert.Contains(e.Message, "DiffiT-FFHQ64");
    }
}
