using DitML.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DitML.Runtime.Tests.Onnx;

/// <summary>Per-channel int8 weights, and the quantized linear on ONNX Runtime within the error quantization allows.</summary>
[TestClass]
public sealed class Int8QuantizationTests
{
    [TestMethod]
    public void WeightsRoundToTheirChannelsScale()
    {
        // Two output channels of three inputs: (1, −0.5, 0.25) and zeros.
        var (q, scales) = Int8Quantization.PerOutputChannel([1f, -0.5f, 0.25f, 0f, 0f, 0f], 3, 2);
        Assert.AreEqual(1f / 63, scales[0], 1e-9f);
        Assert.AreEqual(1f, scales[1], "a channel of zeros keeps scale 1");
        // (in, out) layout: q[i·out + o]; −0.5 / (1/63) is −31.4999… in float32 (the scale rounds up), so −31; 15.75 → 16.
        CollectionAssert.AreEqual(new sbyte[] { 63, 0, -31, 0, 16, 0 }, q);
    }

    [TestMethod]
    public void TheLargestProductsDoNotOverflowOnCpusWithoutVnni()
    {
        // Every activation quantizes to 255 and every weight to ±63 with equal signs in pairs: the case where a u8×s8
        // kernel summing pairs into 16-bit lanes (AVX2's vpmaddubsw) would saturate with 8-bit weights.
        const int inF = 32, outF = 4, rows = 2;
        var w = Enumerable.Range(0, inF * outF).Select(i => i / inF % 2 == 0 ? 0.5f : -0.5f).ToArray();
        var x = Enumerable.Repeat(2f, rows * inF).ToArray();
        x[0] = 0;                                                                 // the range [0, 2]: zero point 0
        var y = RunQuantizedLinear(w, [], x, inF, outF, rows);
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outF; o++)
            {
                double exact = Enumerable.Range(0, inF).Sum(i => (double)x[r * inF + i] * w[o * inF + i]);
                Assert.AreEqual(exact, y[r * outF + o], Math.Abs(exact) * 0.02, $"row {r} channel {o}");
            }
    }

    [TestMethod]
    public void QuantizedLinearStaysWithinTheQuantizationErrorBound()
    {
        const int inF = 64, outF = 48, rows = 6;
        var w = Enumerable.Range(0, inF * outF).Select(i => (float)Math.Sin(0.61 * i) * (1 + i % 7)).ToArray();
        var b = Enumerable.Range(0, outF).Select(i => 0.1f * i).ToArray();
        var x = Enumerable.Range(0, rows * inF).Select(i => (float)Math.Cos(0.23 * i) * 3 - 0.5f).ToArray();
        var y = RunQuantizedLinear(w, b, x, inF, outF, rows);

        var (_, scales) = Int8Quantization.PerOutputChannel(w, inF, outF);
        // DynamicQuantizeLinear's step over the tensor's range (which includes 0); its zero point is rounded, so an
        // input may be off by up to one step (half for rounding, half for the zero point).
        float xStep = (Math.Max(0, x.Max()) - Math.Min(0, x.Min())) / 255;
        double worst = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outF; o++)
            {
                double exact = b[o], bound = 0;
                for (int i = 0; i < inF; i++)
                {
                    float xi = x[r * inF + i], wi = w[o * inF + i];
                    exact += (double)xi * wi;
                    bound += Math.Abs(xi) * scales[o] / 2 + (Math.Abs(wi) + scales[o] / 2) * xStep;
                }
                double error = Math.Abs(y[r * outF + o] - exact);
                Assert.IsTrue(error <= bound * 1.0001 + 1e-5, $"row {r} channel {o}: error {error:E3} over the bound {bound:E3}");
                worst = Math.Max(worst, error);
            }
        }
        Assert.IsGreaterThan(1e-4, worst, "the weights really are int8 (a float path would be exact to ~1e-6)");
    }

    /// <summary>One int8 linear layer (as the exporter writes it) run on ONNX Runtime over <paramref name="rows"/> inputs.</summary>
    private static float[] RunQuantizedLinear(float[] w, float[] b, float[] x, int inF, int outF, int rows)
    {
        var g = new OnnxGraphBuilder("q");
        var input = g.Input("x", OnnxElementType.Float, "N", inF);
        g.Output("out", g.LinearInt8(input, "fc", w, inF, outF, b), OnnxElementType.Float, "N", outF);
        using var model = g.Build();
        using var session = new InferenceSession(model.ToBytes());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [rows, inF]))]);
        return results.Single().AsEnumerable<float>().ToArray();
    }
}
