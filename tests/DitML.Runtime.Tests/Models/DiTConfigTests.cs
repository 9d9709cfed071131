using DitML.Models;

namespace DitML.Runtime.Tests.Models;

[TestClass]
public sealed class DiTConfigTests
{
    [TestMethod]
    [DataRow("DiT-XL/2", 28, 1152, 16, 2)]
    [DataRow("dit-b-4", 12, 768, 12, 4)]
    [DataRow("S/8", 12, 384, 6, 8)]
    [DataRow("DiT-L/4", 24, 1024, 16, 4)]
    public void NamedConfigsHaveThePaperSizes(string name, int depth, int width, int heads, int patch)
    {
        var c = DiTConfig.FromName(name);
        Assert.AreEqual((depth, width, heads, patch), (c.Depth, c.HiddenSize, c.NumHeads, c.PatchSize));
        Assert.AreEqual(c, DiTConfig.FromName(c.Name!), "Name round-trips");
    }

    [TestMethod]
    public void TwelvePaperNames()
    {
        Assert.HasCount(12, DiTConfig.PaperNames);
        CollectionAssert.AllItemsAreUnique(DiTConfig.PaperNames.ToList());
        foreach (var n in DiTConfig.PaperNames) Assert.AreEqual(n, DiTConfig.FromName(n).Name);
    }

    [TestMethod]
    public void UnknownNameListsTheKnownOnes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => DiTConfig.FromName("DiT-M/2"));
        StringAssert.Contains(e.Message, "DiT-M/2");
        StringAssert.Contains(e.Message, "DiT-XL/2");
    }

    [TestMethod]
    public void InvalidSizesAreRefusedNamingTheMember()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => (new DiTConfig { InputSize = 30, PatchSize = 4 }).Validate());
        StringAssert.Contains(e.Message, "PatchSize");
        e = Assert.ThrowsExactly<ArgumentException>(() => (new DiTConfig { HiddenSize = 100, NumHeads = 3 }).Validate());
        StringAssert.Contains(e.Message, "NumHeads");
        e = Assert.ThrowsExactly<ArgumentException>(() => (new DiTConfig { ClassDropoutProb = 1.0 }).Validate());
        StringAssert.Contains(e.Message, "ClassDropoutProb");
    }

    [TestMethod]
    public void DerivedSizes()
    {
        var c = new DiTConfig { InputSize = 28, PatchSize = 4, InChannels = 1, NumClasses = 10, HiddenSize = 64, NumHeads = 4, Depth = 2 };
        Assert.AreEqual((7, 49, 2, 11, 16, 256), (c.GridSize, c.NumPatches, c.OutChannels, c.LabelTableSize, c.HeadDim, c.MlpHiddenSize));
        Assert.IsNull(c.Name);
        Assert.AreEqual(10, (c with { ClassDropoutProb = 0 }).LabelTableSize, "no null row without class dropout");
    }

    [TestMethod]
    public void JsonRoundTrips()
    {
        var c = DiTConfig.FromName("DiT-B/4", inputSize: 16, inChannels: 1, numClasses: 10) with
        {
            Conditioning = DiTConditioning.CrossAttention,
            TimeDependentAttention = true,
        };
        string json = c.ToJson();
        StringAssert.Contains(json, "\"conditioning\":\"cross_attention\"");
        Assert.AreEqual(c, DiTConfig.FromJson(json));
    }
}
