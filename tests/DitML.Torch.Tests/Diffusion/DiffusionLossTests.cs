using System.Text.Json;
using DitML.Diffusion;
using DitML.Models;
using DitML.Torch.Tests.Dit;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Torch.Tests.Diffusion;

[TestClass]
public sealed class DiffusionLossTests
{
    private static JsonElement Fixture()
    {
        // loss.json: per-example MSE and VB terms of an independent PyTorch reference (make_loss_fixture.py), with t
        // including 0 (the discretized-Gaussian decoder term) and data at the edge bins ±1.
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "diffusion", "loss.json"))).RootElement;
    }

    private static Tensor F(JsonElement e, string name, long[] shape) => tensor(e.GetProperty(name).EnumerateArray().Select(v => v.GetSingle()).ToArray(), shape);

    [TestMethod]
    public void HybridLossMatchesThePyTorchReference()
    {
        var r = Fixture();
        long[] shape = r.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        long[] outShape = [shape[0], 2 * shape[1], shape[2], shape[3]];
        using var x0 = F(r, "x0", shape);
        using var noise = F(r, "noise", shape);
        using var output = F(r, "out", outShape);
        using var t = tensor(r.GetProperty("t").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        var loss = new DiffusionLoss();
        using var xt = loss.QSample(x0, t, noise);
        using var expectedXt = F(r, "xt", shape);
        Assert.IsTrue(xt.allclose(expectedXt, rtol: 1e-5, atol: 1e-6), "q_sample");

        using var terms = loss.FromModelOutput(output, x0, xt, t, noise);
        var mse = terms.Mse.data<float>().ToArray();
        var vb = terms.Vb!.data<float>().ToArray();
        var expectedMse = r.GetProperty("mse").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var expectedVb = r.GetProperty("vb").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        for (int i = 0; i < mse.Length; i++)
        {
            Assert.AreEqual(expectedMse[i], mse[i], 1e-5 * expectedMse[i], $"mse[{i}]");
            Assert.AreEqual(expectedVb[i], vb[i], 1e-4 * expectedVb[i], $"vb[{i}] at t = {r.GetProperty("t")[i]}");
            Assert.AreEqual(mse[i] + vb[i], terms.Loss.data<float>()[i], 1e-6);
        }
    }

    [TestMethod]
    public void VbTrainsOnlyTheVarianceChannels()
    {
        var r = Fixture();
        long[] shape = r.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        using var x0 = F(r, "x0", shape);
        using var noise = F(r, "noise", shape);
        using var output = F(r, "out", [shape[0], 2 * shape[1], shape[2], shape[3]]).requires_grad_(true);
        using var t = tensor(r.GetProperty("t").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        var loss = new DiffusionLoss();
        using var xt = loss.QSample(x0, t, noise);
        using var terms = loss.FromModelOutput(output, x0, xt, t, noise);
        terms.Vb!.sum().backward();
        using var grad = output.grad!;
        Assert.AreEqual(0f, grad.narrow(1, 0, shape[1]).abs().max().item<float>(), "ε is detached in the VB term");
        Assert.IsTrue(grad.narrow(1, shape[1], shape[1]).abs().max().item<float>() > 0);
    }

    [TestMethod]
    public void FixedVarianceUsesPlainMse()
    {
        using var x0 = rand(2, 1, 4, 4);
        using var noise = randn(2, 1, 4, 4);
        using var t = tensor(new long[] { 3, 900 });
        var loss = new DiffusionLoss();
        using var xt = loss.QSample(x0, t, noise);
        using var terms = loss.FromModelOutput(zeros(2, 1, 4, 4), x0, xt, t, noise);
        Assert.IsNull(terms.Vb);
        Assert.IsTrue(terms.Loss.allclose(noise.square().mean([1, 2, 3])));
    }

    [TestMethod]
    public void DiTTrainsOnTheHybridLoss()
    {
        // The real objective on a learned-variance DiT: the loss falls over a few dozen steps on a fixed small set.
        manual_seed(4);
        using var model = new DiT(DiTModelTests.Small());
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 2e-3);
        var loss = new DiffusionLoss();
        using var x0 = rand(8, 4, 8, 8) * 2 - 1;
        using var y = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 });
        double first = 0, last = 0;
        for (int step = 0; step < 80; step++)
        {
            using var scope = NewDisposeScope();
            var t = loss.SampleTimesteps(8);
            var terms = loss.Compute((xt, tt) => model.forward(xt, tt, y), x0, t, randn_like(x0));
            var mean = terms.Loss.mean();
            optimizer.zero_grad();
            mean.backward();
            optimizer.step();
            if (step < 10) first += mean.item<float>() / 10;
            if (step >= 70) last += mean.item<float>() / 10;
        }
        Assert.IsTrue(last < 0.8 * first, $"loss {first:F3} → {last:F3}");
    }
}
