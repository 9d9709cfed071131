using DitML.Models;
using DitML.Sampling;
using DitML.Torch.Tests.Dit;
using static TorchSharp.torch;
using DitML.Dit;
using DitML.Precision;
using DitML.Torch.Tests.Precision;

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
    public void Bf16PredictionsAreCloseToFp32AndFloat32()
    {
        manual_seed(11);
        using var model = new DiT(DiTModelTests.Small());
        using (no_grad()) foreach (var p in model.parameters()) p.normal_(0, 0.1);
        var fp32 = new TorchDenoiser(model);
        var bf16 = new TorchDenoiser(model, ComputePrecision.Bf16);
        Assert.AreEqual(ComputePrecision.Bf16, bf16.Precision);
        using var x = randn(3, 4, 8, 8);
        var input = x.data<float>().ToArray();
        float[] steps = [2f, 400f, 999f];
        long[] labels = [0, 5, 10];
        var expected = new float[3 * 8 * 64];
        var actual = new float[expected.Length];
        fp32.Predict(input, steps, labels, expected);
        bf16.Predict(input, steps, labels, actual);
        using var a = tensor(actual);
        using var e = tensor(expected);
        double error = MixedPrecisionTests.RelativeRms(a, e);
        // The bound of MixedPrecisionTests.Bf16RelativeError (a few bf16 roundings, 2⁻⁹ each, through the network);
        // above 0: the bf16 path really ran.
        Assert.IsTrue(error is > 0 and < MixedPrecisionTests.Bf16RelativeError, $"bf16 off fp32 by {error:E2}");
        // A sampler drives it like the fp32 denoiser: same images up to bf16 noise.
        var options = new SamplerOptions { Sampler = SamplerKind.DpmSolverPlusPlus, Steps = 5, GuidanceScale = 2 };
        var fromFp32 = DiffusionSampler.Create(options).Sample(fp32, [1, 2], [7, 8]);
        var fromBf16 = DiffusionSampler.Create(options).Sample(bf16, [1, 2], [7, 8]);
        using var sa = tensor(fromBf16);
        using var sb = tensor(fromFp32);
        Assert.IsTrue(MixedPrecisionTests.RelativeRms(sa, sb) < 2 * MixedPrecisionTests.Bf16RelativeError, "five solver steps compound it little");
        Assert.AreEqual(ComputePrecision.Fp32, MixedPrecision.Current, "the scope ends with the call");
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
