using DitML.Models;
using DitML.Onnx;
using DitML.Torch.Tests.Dit;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Torch.Tests.Dit;

/// <summary>The exported graph computes what the TorchSharp model computes, for every variant, at any batch size.</summary>
[TestClass]
public sealed class DiTOnnxExporterTests
{
    public static IEnumerable<object[]> Variants => DiTModelTests.Variants;

    private static DiT RandomModel(DiTConfig config, int seed)
    {
        manual_seed(seed);
        var model = new DiT(config);
        using (no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
                if (name != "pos_embed") p.normal_(0, 0.2);                    // non-zero everywhere: every path counts
        }
        model.eval();
        return model;
    }

    /// <summary>Runs an exported DiT-interface graph (x, t, y → out) on ONNX Runtime.</summary>
    internal static float[] RunOnnx(byte[] onnx, float[] x, long[] xShape, float[] t, long[] y)
    {
        using var session = new InferenceSession(onnx);
        var inputs = new[]
        {
            NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, xShape.Select(v => (int)v).ToArray())),
            NamedOnnxValue.CreateFromTensor("t", new DenseTensor<float>(t, [t.Length])),
            NamedOnnxValue.CreateFromTensor("y", new DenseTensor<long>(y, [y.Length])),
        };
        using var results = session.Run(inputs);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    [TestMethod]
    [DynamicData(nameof(Variants))]
    public void OnnxRuntimeMatchesTorchSharp(DiTConditioning conditioning, bool tmsa)
    {
        using var model = RandomModel(DiTModelTests.Small(conditioning, tmsa), 21);
        var onnx = DiTOnnxExporter.Export(model).ToBytes();
        foreach (int n in new[] { 1, 3 })
        {
            using var x = randn(n, 4, 8, 8);
            var t = Enumerable.Range(0, n).Select(i => 0.5f + 400.25f * i).ToArray();     // fractional steps
            var y = Enumerable.Range(0, n).Select(i => (long)(i * 5 % 11)).ToArray();     // includes the null class 10
            using var _ = no_grad();
            using var expected = model.forward(x, tensor(t), tensor(y));
            var e = expected.data<float>().ToArray();
            var a = RunOnnx(onnx, x.data<float>().ToArray(), x.shape, t, y);
            double maxDiff = e.Zip(a, (p, q) => Math.Abs(p - q)).Max(), maxRef = e.Max(Math.Abs);
            Assert.IsTrue(maxDiff / maxRef < 1e-4, $"{conditioning}{(tmsa ? "+TMSA" : "")} N={n}: relative error {maxDiff / maxRef:E2}");
        }
    }

    [TestMethod]
    public void MetadataDescribesTheModel()
    {
        using var model = RandomModel(DiTModelTests.Small(), 1);
        var onnx = DiTOnnxExporter.Export(model, new DiTOnnxExportOptions { Space = ModelSpace.Pixel, GuidanceScale = 2.5 });
        using var session = new InferenceSession(onnx.ToBytes());
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.AreEqual(model.Config, DiTConfig.FromJson(meta[DiTOnnxMetadata.Config]));
        Assert.AreEqual("pixel", meta[DiTOnnxMetadata.Space]);
        Assert.AreEqual("1000", meta[DiTOnnxMetadata.DiffusionSteps]);
        Assert.AreEqual("2.5", meta[DiTOnnxMetadata.GuidanceScale]);
        Assert.AreEqual("N", session.InputMetadata["x"].SymbolicDimensions[0], "dynamic batch axis");
    }

    [TestMethod]
    public void ExternalDataModelLoadsAndMatches()
    {
        using var model = RandomModel(DiTModelTests.Small(), 2);
        var onnx = DiTOnnxExporter.Export(model);
        string dir = Directory.CreateTempSubdirectory("ditml-onnx-").FullName;
        try
        {
            string single = Path.Combine(dir, "single.onnx"), split = Path.Combine(dir, "split.onnx");
            onnx.Save(single);
            onnx.Save(split, forceExternalData: true);
            Assert.IsTrue(File.Exists(split + ".data"));
            Assert.IsTrue(new FileInfo(split).Length < new FileInfo(single).Length / 4, "weights moved out of the .onnx");
            using var a = new InferenceSession(single);
            using var b = new InferenceSession(split);
            var x = Enumerable.Range(0, 256).Select(i => (float)Math.Sin(i)).ToArray();
            var inputs = new[]
            {
                NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [1, 4, 8, 8])),
                NamedOnnxValue.CreateFromTensor("t", new DenseTensor<float>(new[] { 10f }, [1])),
                NamedOnnxValue.CreateFromTensor("y", new DenseTensor<long>(new[] { 3L }, [1])),
            };
            using var ra = a.Run(inputs);
            using var rb = b.Run(inputs);
            CollectionAssert.AreEqual(ra.Single().AsEnumerable<float>().ToArray(), rb.Single().AsEnumerable<float>().ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    [DataRow(DiTConditioning.AdaLNZero, false)]
    [DataRow(DiTConditioning.CrossAttention, true)]
    [DataRow(DiTConditioning.InContext, true)]
    public void OnnxCheckerAcceptsTheModel(DiTConditioning conditioning, bool tmsa)
    {
        using var model = RandomModel(DiTModelTests.Small(conditioning, tmsa), 3);
        string path = Path.GetTempFileName() + ".onnx";
        try
        {
            DiTOnnxExporter.Export(model).Save(path);
            OnnxChecker.AssertAccepts(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow(DiTConditioning.AdaLNZero, false)]
    [DataRow(DiTConditioning.CrossAttention, true)]
    public void Int8ModelStaysCloseToTheFloat32Model(DiTConditioning conditioning, bool tmsa)
    {
        // Weights of std 0.2 so that the blocks (the quantized part) shape the output rather than the residual path.
        using var model = RandomModel(DiTModelTests.Small(conditioning, tmsa), 5);
        var fp32 = DiTOnnxExporter.Export(model).ToBytes();
        using var int8Model = DiTOnnxExporter.Export(model, new DiTOnnxExportOptions { Precision = OnnxPrecision.Int8 });
        var int8 = int8Model.ToBytes();
        Assert.AreEqual("int8", int8Model.Metadata[DiTOnnxMetadata.Precision]);
        using var x = randn(3, 4, 8, 8);
        float[] t = [1.5f, 300f, 999f];
        long[] y = [0, 4, 10];
        var e = RunOnnx(fp32, x.data<float>().ToArray(), x.shape, t, y);
        var a = RunOnnx(int8, x.data<float>().ToArray(), x.shape, t, y);
        double rms = Math.Sqrt(e.Zip(a, (p, q) => (double)(p - q) * (p - q)).Average()), scale = Math.Sqrt(e.Average(v => (double)v * v));
        // Each quantized linear adds an error of about one 255th of its input's range (activations, one scale per
        // tensor) plus one 254th of each channel's largest weight; over the 2 blocks' 8–12 quantized linears that is a
        // few percent of the output at most (1.7% and 0.7% measured here). A wrong scale, layout or zero point gives errors of order 1.
        Assert.IsLessThan(0.05, rms / scale, $"relative RMS error {rms / scale:E2}");
        Assert.IsGreaterThan(1e-4, rms / scale, "the int8 model is really quantized");
    }

    [TestMethod]
    public void Int8ModelIsSmallerAndTheCheckerAcceptsIt()
    {
        using var model = RandomModel(DiTModelTests.Small(DiTConditioning.AdaLNZero, tmsa: true), 6);
        using var fp32 = DiTOnnxExporter.Export(model);
        using var int8 = DiTOnnxExporter.Export(model, new DiTOnnxExportOptions { Precision = OnnxPrecision.Int8 });
        Assert.IsLessThan(0.6 * fp32.InitializerBytes, int8.InitializerBytes, $"{int8.InitializerBytes} vs {fp32.InitializerBytes} bytes");
        Assert.AreEqual("fp32", fp32.Metadata[DiTOnnxMetadata.Precision]);
        string path = Path.GetTempFileName() + ".onnx";
        try
        {
            int8.Save(path);
            OnnxChecker.AssertAccepts(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
