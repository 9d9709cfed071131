using DitML.Models;

namespace DitML.Runtime.Tests.Models;

/// <summary>Latent DiffiT presets and parameter counts against the release (diffit-facts.md §1).</summary>
[TestClass]
public sealed class LatentDiffiTConfigTests
{
    [TestMethod]
    public void DiffiTXL2IsTheReleasedConfig()
    {
        var c = LatentDiffiTConfig.FromName("DiffiT-XL/2");
        Assert.AreEqual(28, c.Depth);
        Assert.AreEqual(1152, c.HiddenSize);
        Assert.AreEqual(16, c.NumHeads);
        Assert.AreEqual(2, c.PatchSize);
        Assert.AreEqual(4, c.InChannels);
        Assert.AreEqual(8, c.OutChannels);
        Assert.AreEqual(1001, c.LabelTableSize);
        Assert.AreEqual(961, c.RelativePositionCount);
        Assert.AreEqual("DiffiT-XL/2", c.Name);
        Assert.AreEqual(c, new LatentDiffiTConfig(), "the defaults are the release's DiffiT-XL/2 at 256 px");
    }

    [TestMethod]
    public void TwelvePresetsWithDiTsSizes()
    {
        Assert.HasCount(12, LatentDiffiTConfig.PresetNames);
        foreach (var name in LatentDiffiTConfig.PresetNames)
        {
            var c = LatentDiffiTConfig.FromName(name);
            var dit = DiTConfig.FromName(name.Replace("DiffiT-", "DiT-", StringComparison.Ordinal));
            Assert.AreEqual((dit.Depth, dit.HiddenSize, dit.NumHeads, dit.PatchSize), (c.Depth, c.HiddenSize, c.NumHeads, c.PatchSize), name);
            Assert.AreEqual(name, c.Name);
        }
        Assert.AreEqual("DiffiT-B/4", LatentDiffiTConfig.FromName("diffit-b-4").Name);
        Assert.IsTrue(LatentDiffiTConfig.IsDiffiTName("DiffiT-S/8"));
        Assert.IsFalse(LatentDiffiTConfig.IsDiffiTName("DiT-S/8"));
    }

    [TestMethod]
    public void UnknownNamesAndBadSizesAreRefusedByName()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => LatentDiffiTConfig.FromName("DiffiT-XXL/2"));
        StringAssert.Contains(e.Message, "'DiffiT-XXL/2'");
        StringAssert.Contains(e.Message, "DiffiT-XL/2");
        Assert.ThrowsExactly<ArgumentException>(() => LatentDiffiTConfig.FromName("DiT-XL/2"));
        var bad = Assert.ThrowsExactly<ArgumentException>(() => (new LatentDiffiTConfig { NumHeads = 7 }).Validate());
        StringAssert.Contains(bad.Message, "NumHeads");
    }

    [TestMethod]
    public void ParametersOfDiffiTXL2At256PxAreTheReleases561330144()
    {
        var c = LatentDiffiTConfig.FromName("DiffiT-XL/2");
        Assert.AreEqual(561_330_144L, LatentDiffiTComplexity.Parameters(c));
        Assert.AreEqual(561_035_232L, LatentDiffiTComplexity.Trainable(c));
        Assert.AreEqual(19_935_760L, LatentDiffiTComplexity.PerBlock(c));
        Assert.AreEqual(294_912L, LatentDiffiTComplexity.PositionEmbedding(c));
        // 512 px (latent 64) and the paper appendix's depth 30, both computed in the facts.
        Assert.AreEqual(563_562_464L, LatentDiffiTComplexity.Parameters(LatentDiffiTConfig.FromName("DiffiT-XL/2", inputSize: 64)));
        Assert.AreEqual(601_201_664L, LatentDiffiTComplexity.Parameters(c with { Depth = 30 }));
    }

    [TestMethod]
    public void ParameterTotalsEqualThePyTorchReferenceKeyFiles()
    {
        // The key files' last line is "# entries E parameters P", written by make_diffit_fixtures.py from the PyTorch reference.
        foreach (var (file, config) in new[] { ("xl2_keys.txt", LatentDiffiTConfig.FromName("DiffiT-XL/2")), ("s8_keys.txt", LatentDiffiTConfig.FromName("DiffiT-S/8")) })
        {
            var last = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "diffit", file)).Last().Split(' ');
            Assert.AreEqual(config.Depth * 12 + 10, int.Parse(last[2], System.Globalization.CultureInfo.InvariantCulture), file);
            Assert.AreEqual(LatentDiffiTComplexity.Parameters(config), long.Parse(last[4], System.Globalization.CultureInfo.InvariantCulture), file);
        }
    }

    [TestMethod]
    public void JsonRoundTrips()
    {
        var c = LatentDiffiTConfig.FromName("DiffiT-B/4", inputSize: 16, numClasses: 10) with { ClassDropoutProb = 0.2 };
        Assert.AreEqual(c, LatentDiffiTConfig.FromJson(c.ToJson()));
    }
}
