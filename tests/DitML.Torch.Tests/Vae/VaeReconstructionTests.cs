using DitML.Vae;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Vae;

[TestClass]
public sealed class VaeReconstructionTests
{
    [TestMethod]
    public void BatchedMeasureEqualsTheWholeSetAtOnce()
    {
        manual_seed(3);
        using var vae = new AutoencoderKL(new VaeConfig { BlockOutChannels = [8, 16], LayersPerBlock = 1, NormNumGroups = 4 });
        var data = new VaeTrainerTests.Gradients();
        var report = VaeReconstruction.Measure(vae, data, maxImages: 13, batchSize: 5);    // batches of 5, 5, 3

        var pixels = new float[13 * 3 * 64];
        for (int i = 0; i < 13; i++) data.CopyImage(i, pixels.AsSpan(i * 192, 192));
        using var _ = no_grad();
        using var x = tensor(pixels, [13, 3, 8, 8]).clone();
        using var posterior = vae.Encode(x);
        using var y = vae.Decode(posterior.Mean);
        using var mse = (y - x).square().mean();
        using var std = posterior.Mean.std(unbiased: false);
        Assert.AreEqual(13, report.Images);
        Assert.AreEqual(mse.item<float>(), report.MeanSquaredError, 1e-6 * report.MeanSquaredError + 1e-9);
        Assert.AreEqual(std.item<float>(), report.LatentStd, 1e-5 * report.LatentStd);
        Assert.AreEqual(10 * Math.Log10(4 / report.MeanSquaredError), report.Psnr, 1e-12);
        Assert.AreEqual(1 / report.LatentStd, report.ScalingFactor, 1e-12);
    }

    [TestMethod]
    public void ChannelsThatDoNotFitAreRefused()
    {
        using var vae = new AutoencoderKL(new VaeConfig { InChannels = 1, OutChannels = 1, BlockOutChannels = [8], LayersPerBlock = 1, NormNumGroups = 4 });
        var error = Assert.ThrowsExactly<ArgumentException>(() => VaeReconstruction.Measure(vae, new VaeTrainerTests.Gradients()));
        StringAssert.Contains(error.Message, "3 channels");
    }
}
