using DitML.Vae;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using DitML.Onnx;

namespace DitML.Torch.Tests.Vae;

/// <summary>The exported VAE graphs compute what the TorchSharp VAE computes, at any batch and spatial size.</summary>
[TestClass]
public sealed class VaeOnnxExporterTests
{
    private static AutoencoderKL FixtureModel() => VaeCheckpoint.Load(VaeFixture.WeightsPath, VaeFixture.Load().Config);

    private static float[] RunOnnx(byte[] onnx, string input, TorchSharp.torch.Tensor x)
    {
        using var session = new InferenceSession(onnx);
        var value = NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(x.data<float>().ToArray(), x.shape.Select(v => (int)v).ToArray()));
        using var results = session.Run([value]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    [TestMethod]
    [DataRow(1, 4, 4)]
    [DataRow(3, 4, 4)]
    [DataRow(2, 3, 5)]
    public void DecoderMatchesTorchSharp(int n, int h, int w)
    {
        using var model = FixtureModel();
        var onnx = VaeOnnxExporter.ExportDecoder(model).ToBytes();
        manual_seed(n);
        using var latents = randn(n, 4, h, w) * 0.18215;
        using var _ = no_grad();
        using var expected = model.DecodeLatents(latents);
        var actual = RunOnnx(onnx, "latents", latents);
        CollectionAssert.AreEqual(new long[] { n, 3, 4 * h, 4 * w }, expected.shape);
        double err = VaeFixture.RelativeError(expected.data<float>().ToArray(), actual);
        Assert.IsTrue(err < 1e-4, $"N={n} {h}×{w}: relative error {err:E2}");
    }

    [TestMethod]
    [DataRow(1, 16, 16)]
    [DataRow(3, 8, 24)]
    public void EncoderMeanMatchesTorchSharp(int n, int h, int w)
    {
        using var model = FixtureModel();
        var onnx = VaeOnnxExporter.ExportEncoder(model).ToBytes();
        manual_seed(n);
        using var pixels = rand(n, 3, h, w) * 2 - 1;
        using var _ = no_grad();
        using var expected = model.EncodeLatents(pixels, sample: false);
        double err = VaeFixture.RelativeError(expected.data<float>().ToArray(), RunOnnx(onnx, "pixels", pixels));
        Assert.IsTrue(err < 1e-4, $"N={n} {h}×{w}: relative error {err:E2}");
    }

    [TestMethod]
    public void UnscaledDecoderTakesRawLatentsAndMetadataDescribesTheModel()
    {
        manual_seed(7);
        using var model = new AutoencoderKL(VaeConfig.Small);
        model.eval();
        var onnx = VaeOnnxExporter.ExportDecoder(model, scaledLatents: false);
        using var z = randn(2, 4, 5, 5);
        using var _ = no_grad();
        using var expected = model.Decode(z);
        Assert.IsTrue(VaeFixture.RelativeError(expected.data<float>().ToArray(), RunOnnx(onnx.ToBytes(), "latents", z)) < 1e-4);
        using var session = new InferenceSession(onnx.ToBytes());
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.AreEqual(VaeConfig.Small, VaeConfig.FromJson(meta[VaeOnnxMetadata.Config]));
        Assert.AreEqual("false", meta[VaeOnnxMetadata.ScaledLatents]);
        Assert.AreEqual("0.18215", meta[VaeOnnxMetadata.ScalingFactor]);
        Assert.AreEqual("N", session.InputMetadata["latents"].SymbolicDimensions[0], "dynamic batch axis");
    }

    [TestMethod]
    public void OnnxCheckerAcceptsBothGraphs()
    {
        using var model = FixtureModel();
        string dir = Directory.CreateTempSubdirectory("ditml-vae-onnx-").FullName;
        try
        {
            string decoder = Path.Combine(dir, "decoder.onnx"), encoder = Path.Combine(dir, "encoder.onnx");
            VaeOnnxExporter.ExportDecoder(model).Save(decoder);
            VaeOnnxExporter.ExportEncoder(model).Save(encoder);
            OnnxChecker.AssertAccepts(decoder, encoder);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
