using DitML.Data;
using DitML.Vae;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Vae;

[TestClass]
public sealed class LatentCacheTests
{
    [TestMethod]
    public void TheCacheHoldsWhatTheEncoderGivesForEachImageAndItsMirror()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-latents").FullName;
        try
        {
            manual_seed(4);
            using var vae = new AutoencoderKL(VaeConfig.Small);
            var random = new Random(2);
            var pixels = Enumerable.Range(0, 5 * 3 * 8 * 8).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var images = new InMemoryImageDataset(pixels, [0, 1, 2, 1, 0], 3, 8, 8, 3);
            string path = Path.Combine(dir, "latents.safetensors");

            Assert.AreEqual(10, LatentCache.Build(vae, images, path, includeFlips: true, sample: false, batch: 2));
            var cache = LatentCache.Open(path);

            Assert.AreEqual(10, cache.Count);
            Assert.AreEqual((4, 4, 4), (cache.Channels, cache.Height, cache.Width));
            Assert.AreEqual(3, cache.ClassCount);
            CollectionAssert.AreEqual(new[] { 0, 1, 2, 1, 0, 0, 1, 2, 1, 0 }, Enumerable.Range(0, 10).Select(cache.GetLabel).ToArray());
            using var noGrad = no_grad();
            using var x = tensor(pixels, [5, 3, 8, 8]);
            using var expected = vae.EncodeLatents(x, sample: false);
            using var flipped = x.flip(3);
            using var expectedFlipped = vae.EncodeLatents(flipped, sample: false);
            var all = expected.data<float>().ToArray().Concat(expectedFlipped.data<float>().ToArray()).ToArray();
            for (int i = 0; i < 10; i++)
            {
                var row = new float[64];
                cache.CopyImage(i, row);
                for (int k = 0; k < 64; k++) Assert.AreEqual(all[i * 64 + k], row[k], 1e-5f, $"entry {i} value {k}");
            }
            Assert.IsFalse(File.Exists(path + ".partial"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ImagesThatDoNotFitTheVaeAreRefusedAndNothingIsWritten()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-latents").FullName;
        try
        {
            using var vae = new AutoencoderKL(VaeConfig.Small);
            var images = new InMemoryImageDataset(new float[3 * 7 * 7], [0], 3, 7, 7, 1);
            string path = Path.Combine(dir, "latents.safetensors");
            var e = Assert.ThrowsExactly<ArgumentException>(() => LatentCache.Build(vae, images, path));
            StringAssert.Contains(e.Message, "multiples of 2");
            Assert.IsFalse(File.Exists(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
