using DitML.Models;

namespace DitML.Runtime.Tests.Models;

/// <summary>Latent DiffiT's forward cost against PyTorch's profiler on the reference model (flops.json).</summary>
[TestClass]
public sealed class LatentDiffiTComplexityTests
{
    public static IEnumerable<object[]> Profiled => FlopsFixture.Family("latent-diffit");

    // Nothing excluded: the profiler's matrix products and convolutions are exactly the terms the formula counts.
    [TestMethod]
    [DynamicData(nameof(Profiled))]
    public void MultiplyAccumulatesEqualTheProfilersCountOfTheReference(string name, string config, long macs) =>
        Assert.AreEqual(macs, LatentDiffiTComplexity.MultiplyAccumulates(LatentDiffiTConfig.FromJson(config)), name);

    [TestMethod]
    public void GflopsAreMultiplyAccumulatesOver1e9()
    {
        var c = LatentDiffiTConfig.FromName("DiffiT-XL/2");
        Assert.AreEqual(LatentDiffiTComplexity.MultiplyAccumulates(c) / 1e9, LatentDiffiTComplexity.Gflops(c));
        Assert.AreEqual(118.507, LatentDiffiTComplexity.Gflops(c), 0.0005);
    }

    [TestMethod]
    public void DiffersFromDiTByAdaLNAndTheTimeTokensProjection()
    {
        // Same embedders, attention, MLP and final Linear; DiT's adaLN (6D² a block, 2D² final) becomes qkv_temb (3D² a block).
        var diffit = LatentDiffiTConfig.FromName("DiffiT-B/4");
        var dit = DiTConfig.FromName("DiT-B/4");
        long d = dit.HiddenSize;
        Assert.AreEqual(DiTComplexity.MultiplyAccumulates(dit) - dit.Depth * 6 * d * d - 2 * d * d + dit.Depth * 3 * d * d,
            LatentDiffiTComplexity.MultiplyAccumulates(diffit));
    }

    [TestMethod]
    public void TheComparisonExamplesRecordedCostIsReproduced()
    {
        // examples/DiffiTComparison/diffit-latent.json: depth 6, width 192, 3 heads, patch 4 on 28×28 Fashion-MNIST pixels.
        var c = new LatentDiffiTConfig { InputSize = 28, PatchSize = 4, InChannels = 1, HiddenSize = 192, Depth = 6, NumHeads = 3, NumClasses = 10 };
        Assert.AreEqual(3_441_986L, LatentDiffiTComplexity.Parameters(c));
        Assert.AreEqual(136_789_248L, LatentDiffiTComplexity.MultiplyAccumulates(c));
    }
}
