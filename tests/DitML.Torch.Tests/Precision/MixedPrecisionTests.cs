using DitML.Dit;
using DitML.Models;
using DitML.Precision;
using DitML.Torch.Tests.Dit;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Precision;

/// <summary>
/// The bfloat16 compute scope: what runs in bfloat16, what stays float32, and how far a bfloat16 forward lands from the
/// float32 one.
/// </summary>
[TestClass]
public sealed class MixedPrecisionTests
{
    /// <summary>
    /// Relative RMS error allowed between a bfloat16 and a float32 forward of a small random DiT. bfloat16 keeps 8
    /// significant bits, a unit roundoff of 2⁻⁹ ≈ 0.2% per rounding; a value passes about ten roundings on its way
    /// through (inputs and weights of each Linear, its output, GELU, attention) that add up like a random walk,
    /// √10 · 0.2% ≈ 0.6%; the bound is 2%, and a wrong cast (float16's range, a lost bias, an fp32 weight read as
    /// bf16 bits) is far past it.
    /// </summary>
    internal const double Bf16RelativeError = 0.02;

    private static DiT RandomModel(DiTConfig config, int seed)
    {
        manual_seed(seed);
        var model = new DiT(config);
        using (no_grad()) foreach (var p in model.parameters()) p.normal_(0, 0.1);
        model.eval();                                                           // no label dropout: both precisions see the same labels
        return model;
    }

    internal static double RelativeRms(Tensor actual, Tensor expected)
    {
        using var _ = no_grad();
        using var diff = (actual.to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).square().mean().sqrt();
        using var scale = expected.to_type(ScalarType.Float64).square().mean().sqrt();
        return diff.item<double>() / scale.item<double>();
    }

    [TestMethod]
    public void ScopesNestAndRestoreTheOuterPrecision()
    {
        Assert.AreEqual(ComputePrecision.Fp32, MixedPrecision.Current);
        using (MixedPrecision.Enter(ComputePrecision.Bf16))
        {
            Assert.AreEqual(ComputePrecision.Bf16, MixedPrecision.Current);
            using (MixedPrecision.Enter(ComputePrecision.Fp32)) Assert.AreEqual(ComputePrecision.Fp32, MixedPrecision.Current);
            Assert.AreEqual(ComputePrecision.Bf16, MixedPrecision.Current);
        }
        Assert.AreEqual(ComputePrecision.Fp32, MixedPrecision.Current);
        // Another thread has its own scope: a trainer's bf16 forward does not leak into a sampler's thread.
        using (MixedPrecision.Enter(ComputePrecision.Bf16))
        {
            var other = Task.Run(() => MixedPrecision.Current).Result;
            Assert.AreEqual(ComputePrecision.Fp32, other);
        }
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MixedPrecision.Enter((ComputePrecision)7));
    }

    [TestMethod]
    public void LinearComputesInBf16OnlyInsideABf16Scope()
    {
        manual_seed(1);
        using var layer = TorchSharp.torch.nn.Linear(16, 8);
        using var x = randn(5, 16);
        using var plain = layer.forward(x);
        using var outside = MixedPrecision.Linear(layer, x);
        Assert.AreEqual(ScalarType.Float32, outside.dtype);
        CollectionAssert.AreEqual(plain.data<float>().ToArray(), outside.data<float>().ToArray(), "fp32: the layer's own forward, bit for bit");

        Tensor inside;
        using (MixedPrecision.Enter(ComputePrecision.Bf16)) inside = MixedPrecision.Linear(layer, x);
        using (inside)
        {
            Assert.AreEqual(ScalarType.BFloat16, inside.dtype);
            using var bx = x.to_type(ScalarType.BFloat16);
            using var bw = layer.weight!.to_type(ScalarType.BFloat16);
            using var bb = layer.bias!.to_type(ScalarType.BFloat16);
            using var expected = TorchSharp.torch.nn.functional.linear(bx, bw, bb);
            CollectionAssert.AreEqual(expected.to_type(ScalarType.Float32).data<float>().ToArray(), inside.to_type(ScalarType.Float32).data<float>().ToArray(),
                "input, weight and bias rounded to bf16, nothing else changed");
            double error = RelativeRms(inside, plain);
            Assert.IsTrue(error is > 0 and < Bf16RelativeError, $"bf16 differs from fp32 by a rounding's worth, got {error:E2}");
        }
    }

    [TestMethod]
    public void Bf16ForwardAndBackwardStayCloseToFp32AndKeepFloat32WeightsAndGradients()
    {
        foreach (var config in new[]
        {
            DiTModelTests.Small(),
            DiTModelTests.Small() with { TimeDependentAttention = true },
            DiTModelTests.Small() with { Conditioning = DiTConditioning.CrossAttention },
            DiTModelTests.Small() with { Conditioning = DiTConditioning.InContext },
        })
        {
            using var model = RandomModel(config, 2);
            manual_seed(3);
            using var x = randn(4, config.InChannels, config.InputSize, config.InputSize);
            using var t = tensor(new[] { 1f, 250f, 600f, 999f });
            using var y = tensor(new long[] { 0, 3, 7, config.NumClasses });
            (Tensor Output, Dictionary<string, Tensor> Grads) Run(ComputePrecision precision)
            {
                model.zero_grad();
                Tensor o;
                using (MixedPrecision.Enter(precision)) o = model.forward(x, t, y);
                using (var loss = o.square().mean()) loss.backward();
                return (o.detach(), model.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
            }
            var (fp32, fp32Grads) = Run(ComputePrecision.Fp32);
            var (bf16, bf16Grads) = Run(ComputePrecision.Bf16);
            string name = config.Conditioning + (config.TimeDependentAttention ? " + TMSA" : "");
            Assert.AreEqual(ScalarType.Float32, bf16.dtype, $"{name}: the model's output is float32 (the loss reads it)");
            double error = RelativeRms(bf16, fp32);
            Assert.IsTrue(error is > 0 and < Bf16RelativeError, $"{name}: bf16 output off fp32 by {error:E2}");
            Assert.IsTrue(model.parameters().All(p => p.dtype == ScalarType.Float32), $"{name}: master weights stay float32");
            Assert.HasCount(fp32Grads.Count, bf16Grads);
            foreach (var (key, g) in bf16Grads)
            {
                Assert.AreEqual(ScalarType.Float32, g.dtype, $"{name}: {key}'s gradient is float32");
                // Gradients pass through more roundings (the backward of each bf16 matmul is a bf16 matmul): twice the bound.
                using var norm = fp32Grads[key].norm();
                if (norm.item<float>() > 1e-6)
                    Assert.IsTrue(RelativeRms(g, fp32Grads[key]) < 2 * Bf16RelativeError, $"{name}: {key}'s gradient off by {RelativeRms(g, fp32Grads[key]):E2}");
            }
            foreach (var g in fp32Grads.Values.Concat(bf16Grads.Values)) g.Dispose();
            fp32.Dispose();
            bf16.Dispose();
        }
    }
}
