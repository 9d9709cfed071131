using DitML.Generation;

namespace DitML.Runtime.Tests.Generation;

[TestClass]
public sealed class ResizingGeneratorTests
{
    [TestMethod]
    public void BilinearWithHalfPixelCentersLikeTorch()
    {
        // torch.nn.functional.interpolate([[0, 1], [2, 3]], size=4, mode="bilinear", align_corners=False): each axis
        // samples the source at weights 0, 0.25, 0.75, 1 → value = 2·a(y) + a(x).
        float[] src = [0, 1, 2, 3];
        var dst = new float[16];
        ResizingGenerator.Resize(src, 2, 2, dst, 4, 4);
        float[] a = [0, 0.25f, 0.75f, 1];
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++) Assert.AreEqual(2 * a[y] + a[x], dst[y * 4 + x], 1e-6f, $"({y}, {x})");
    }

    [TestMethod]
    public void SameSizeIsTheIdentity()
    {
        var src = Enumerable.Range(0, 25).Select(i => (float)Math.Sin(i)).ToArray();
        var dst = new float[25];
        ResizingGenerator.Resize(src, 5, 5, dst, 5, 5);
        CollectionAssert.AreEqual(src, dst);
    }

    [TestMethod]
    public void BadSizeIsRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new ResizingGenerator(new ConstantGenerator(), 0));
        StringAssert.Contains(e.Message, "output size");
    }

    private sealed class ConstantGenerator : IImageGenerator
    {
        public int Channels => 1;
        public int Height => 2;
        public int Width => 2;
        public int NumClasses => 1;
        public void Generate(ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, Span<float> pixels, IProgress<GenerationProgress>? progress = null) => pixels.Fill(0.5f);
    }
}
