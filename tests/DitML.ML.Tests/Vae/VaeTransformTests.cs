using DitML.Vae;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace DitML.ML.Tests.Vae;

[TestClass]
public sealed class VaeTransformTests
{
    private sealed class ImageRow
    {
        [VectorType(3, 16, 16)] public float[] Pixels { get; set; } = [];
    }

    private sealed class Coded
    {
        public float[] Latents { get; set; } = [];
        public float[] Reconstruction { get; set; } = [];
    }

    [TestMethod]
    public void EncodeAndDecodeMatchTheTorchSharpVaeAndSurviveSaveLoad()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-vae-ml").FullName;
        try
        {
            manual_seed(3);
            using var vae = new AutoencoderKL(VaeConfig.Small);
            vae.eval();
            string encoder = Path.Combine(dir, "encoder.onnx"), decoder = Path.Combine(dir, "decoder.onnx");
            VaeOnnxExporter.ExportEncoder(vae).Save(encoder);
            VaeOnnxExporter.ExportDecoder(vae).Save(decoder);

            var random = new Random(5);
            var rows = Enumerable.Range(0, 3).Select(_ => new ImageRow { Pixels = Enumerable.Range(0, 768).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray() }).ToArray();
            var ml = new MLContext(seed: 0);
            var data = ml.Data.LoadFromEnumerable(rows);
            var pipeline = ml.Transforms.VaeEncode(encoder)
                .Append(ml.Transforms.VaeDecode("Reconstruction", "Latents", decoder));
            var model = pipeline.Fit(data);
            var coded = ml.Data.CreateEnumerable<Coded>(model.Transform(data), reuseRowObject: false).ToList();

            using var noGrad = no_grad();
            using var x = tensor(rows.SelectMany(r => r.Pixels).ToArray(), [3, 3, 16, 16]);
            using var latents = vae.EncodeLatents(x, sample: false);                   // (3, 4, 8, 8)
            using var reconstruction = vae.DecodeLatents(latents);                     // (3, 3, 16, 16)
            var expectedLatents = latents.data<float>().ToArray();
            var expectedPixels = reconstruction.data<float>().ToArray();
            for (int i = 0; i < 3; i++)
            {
                Assert.HasCount(4 * 8 * 8, coded[i].Latents);
                AssertClose(expectedLatents.AsSpan(i * 256, 256), coded[i].Latents, $"latents of row {i}");
                AssertClose(expectedPixels.AsSpan(i * 768, 768), coded[i].Reconstruction, $"pixels of row {i}");
            }

            string saved = Path.Combine(dir, "vae-pipeline.zip");
            ml.Model.Save(model, data.Schema, saved);
            var loaded = new MLContext().Model.Load(saved, out _);
            var again = ml.Data.CreateEnumerable<Coded>(loaded.Transform(data), reuseRowObject: false).ToList();
            for (int i = 0; i < 3; i++) CollectionAssert.AreEqual(coded[i].Reconstruction, again[i].Reconstruction);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AnInputWithoutAnImageShapeIsRefused()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-vae-ml").FullName;
        try
        {
            using var vae = new AutoencoderKL(VaeConfig.Small);
            string encoder = Path.Combine(dir, "encoder.onnx");
            VaeOnnxExporter.ExportEncoder(vae).Save(encoder);
            var ml = new MLContext();
            var flat = ml.Data.LoadFromEnumerable(new[] { new { Pixels = new float[700] } });
            var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.VaeEncode(encoder).Fit(flat));
            StringAssert.Contains(e.Message, "not 3 square planes");
            var f = Assert.ThrowsExactly<FileNotFoundException>(() => ml.Transforms.VaeDecode(Path.Combine(dir, "missing.onnx")));
            StringAssert.Contains(f.Message, "missing.onnx");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertClose(ReadOnlySpan<float> expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual);
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++) { num += Math.Pow(expected[i] - actual[i], 2); den += Math.Pow(expected[i], 2); }
        Assert.IsLessThan(1e-4, Math.Sqrt(num / Math.Max(den, 1e-30)), what);
    }
}
