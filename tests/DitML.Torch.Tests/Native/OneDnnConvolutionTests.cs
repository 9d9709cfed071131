using DitML.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Native;

[TestClass]
public sealed class OneDnnConvolutionTests
{
    /// <summary>Largest |a − b| over max |b| (or over <paramref name="floor"/> when that is larger).</summary>
    internal static double RelativeError(Tensor a, Tensor b, double floor = 0)
    {
        using var scope = NewDisposeScope();
        var a64 = a.to(ScalarType.Float64);
        var b64 = b.to(ScalarType.Float64);
        return (a64 - b64).abs().max().item<double>() / Math.Max(b64.abs().max().item<double>(), floor);
    }

    // Shapes where libtorch 2.10's oneDNN gave wrong input gradients on the CI machine: 3×3, stride 1, padding 1, output
    // channels not a multiple of 16 (the plain call was wrong in every run with AVX2, in 10–100% of runs with AVX-512).
    [TestMethod]
    [DataRow(16, 3, 8, 8)]
    [DataRow(16, 1, 8, 8)]
    [DataRow(16, 24, 8, 8)]
    [DataRow(3, 8, 8, 8)]
    [DataRow(64, 8, 16, 16)]
    public void GradientsMatchFloat64(int inChannels, int outChannels, int size, int batch)
    {
        manual_seed(5);
        using var conv = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        using var conv64 = nn.Conv2d(inChannels, outChannels, 3, padding: 1, dtype: ScalarType.Float64);
        using (no_grad())
        {
            conv64.weight.copy_(conv.weight);
            conv64.bias!.copy_(conv.bias!);
        }
        using var x = randn(batch, inChannels, size, size);
        using var x64 = x.to(ScalarType.Float64).requires_grad_(true);
        OneDnnConvolution.Forward(conv64, x64).square().sum().backward();
        for (int run = 0; run < 10; run++)                                     // the fault came and went from call to call
        {
            using var scope = NewDisposeScope();
            conv.zero_grad();
            var xi = x.clone().requires_grad_(true);
            var y = OneDnnConvolution.Forward(conv, xi);
            Assert.IsTrue(y.is_contiguous(), "the output is NCHW again");
            y.square().sum().backward();
            Assert.IsTrue(RelativeError(xi.grad!, x64.grad!) < 1e-5, $"input gradient, run {run}: {RelativeError(xi.grad!, x64.grad!):G3}");
            Assert.IsTrue(RelativeError(conv.weight.grad!, conv64.weight.grad!) < 1e-5, $"weight gradient, run {run}");
        }
    }

    [TestMethod]
    public void OnlyGradientsOfOddChannelCountsTakeTheDetour()
    {
        using var needsGrad = randn(2, 4, 8, 8).requires_grad_(true);
        using var data = randn(2, 4, 8, 8);
        Assert.IsTrue(OneDnnConvolution.NeedsChannelsLast(3, needsGrad));
        Assert.IsFalse(OneDnnConvolution.NeedsChannelsLast(32, needsGrad), "a multiple of 16 is safe");
        Assert.IsFalse(OneDnnConvolution.NeedsChannelsLast(3, data), "no input gradient, no fault");
        using (no_grad()) Assert.IsFalse(OneDnnConvolution.NeedsChannelsLast(3, needsGrad), "inference");
    }

    [TestMethod]
    public void TheDetourGivesThePlainForwardValues()
    {
        manual_seed(2);
        using var conv = nn.Conv2d(16, 3, 3, padding: 1);
        using var x = randn(4, 16, 8, 8).requires_grad_(true);
        using var plain = conv.forward(x);
        using var routed = OneDnnConvolution.Forward(conv, x);
        CollectionAssert.AreEqual(plain.shape, routed.shape);
        Assert.IsTrue(RelativeError(routed, plain) < 1e-6);
    }
}
