using DitML.Models;
using DitML.Sampling;
using DitML.Torch.Tests.Dit;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Torch.Tests.Sampling;

[TestClass]
public sealed class TorchDenoiserTests
{
    [TestMethod]
    public void PredictEqualsTheModelsForward()
    {
        manual_seed(9);
        using var model = new DiT(DiTModelTests.Small());
        using (no_grad()) foreach (var p in model.parameters()) p.normal_(0, 0.1);
        var denoiser = new TorchDenoiser(model);
        using var x = randn(2, 4, 8, 8);
        var output = new float[2 * 8 * 64];
        denoiser.Predict(x.data<float>().ToArray(), [3.5f, 700f], [1, 10], output);
        using var _ = no_grad();
        using var expected = model.forward(x, tensor(new[] { 3.5f, 700f }), tensor(new long[] { 1, 10 }));
        CollectionAssert.AreEqual(expected.data<float>().ToArray(), output);
        Assert.AreEqual((4, 8, 8, true, 10), (denoiser.Channels, denoiser.Height, denoiser.Width, denoiser.LearnSigma, denoiser.NumClasses));
    }

    [TestMethod]
    public void SamplersDriveTheModelDeterministically()
    {
        manual_seed(10);
        using var model = new DiT(DiTModelTests.Small());
        using (no_grad()) foreach (var p in model.parameters()) p.normal_(0, 0.05);
        var denoiser = new TorchDenoiser(model);
        var options = new SamplerOptions { Sampler = SamplerKind.DpmSolverPlusPlus, Steps = 5, GuidanceScale = 2 };
        var a = DiffusionSampler.Create(options).Sample(denoiser, [1, 2], [7, 8]);
        var b = DiffusionSampler.Create(options).Sample(denoiser, [1, 2], [7, 8]);
        CollectionAssert.AreEqual(a, b);
        Assert.IsTrue(a.All(float.IsFinite));
    }
}
