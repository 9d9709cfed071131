using DitML.Models;

namespace DitML.Runtime.Tests.Models;

/// <summary>Image DiffiT's forward cost against PyTorch's profiler on the reference model (flops.json).</summary>
[TestClass]
public sealed class ImageDiffiTComplexityTests
{
    public static IEnumerable<object[]> Profiled => FlopsFixture.Family("image-diffit");

    // Nothing excluded: the profiler's matrix products and convolutions (the stride-2 downsampling at its output size)
    // are exactly the terms the formula counts.
    [TestMethod]
    [DynamicData(nameof(Profiled))]
    public void MultiplyAccumulatesEqualTheProfilersCountOfTheReference(string name, string config, long macs) =>
        Assert.AreEqual(macs, ImageDiffiTComplexity.MultiplyAccumulates(ImageDiffiTConfig.FromJson(config)), name);

    [TestMethod]
    public void TheProfiledConfigsIncludeThePapersPresets()
    {
        var names = Profiled.Select(row => (string)row[0]).ToList();
        foreach (var preset in ImageDiffiTConfig.Presets)
        {
            CollectionAssert.Contains(names, preset.Key);
            var row = Profiled.Single(r => (string)r[0] == preset.Key);
            Assert.AreEqual(preset.Value, ImageDiffiTConfig.FromJson((string)row[1]), preset.Key);
        }
    }

    [TestMethod]
    public void GflopsAreMultiplyAccumulatesOver1e9()
    {
        var c = ImageDiffiTConfig.Cifar10;
        Assert.AreEqual(ImageDiffiTComplexity.MultiplyAccumulates(c) / 1e9, ImageDiffiTComplexity.Gflops(c));
        Assert.AreEqual(3.843, ImageDiffiTComplexity.Gflops(c), 0.0005);
    }

    [TestMethod]
    public void TheComparisonExamplesRecordedCostIsReproduced()
    {
        // examples/DiffiTComparison/diffit-image.json: stages 28/14/7 × 32,64,128, blocks 1,1,1, window 7, head dim 32, time token 128.
        var c = new ImageDiffiTConfig
        {
            ImageSize = 28, InChannels = 1, StageChannels = [32, 64, 128], BlocksPerStage = [1, 1, 1], WindowSize = 7,
            HeadDim = 32, GroupNormGroups = 8, TimeEmbedDim = 128, NumClasses = 10,
        };
        Assert.AreEqual(1_330_719L, ImageDiffiTComplexity.Parameters(c));
        Assert.AreEqual(149_770_752L, ImageDiffiTComplexity.MultiplyAccumulates(c));
    }
}
