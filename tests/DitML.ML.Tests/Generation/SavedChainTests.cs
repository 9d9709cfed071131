using DitML.Generation;
using DitML.ML.Generation;
using DitML.ML.Tests.Metrics;
using DitML.Sampling;
using DitML.Vae;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace DitML.ML.Tests.Generation;

/// <summary>
/// Pipelines that chain DiffusionGenerate with other transforms (features, VAE), saved with mlContext.Model.Save and
/// loaded in a fresh MLContext, as a service loads them.
/// </summary>
[TestClass]
public sealed class SavedChainTests
{
    private sealed class Request
    {
        public int Label { get; set; }
        public long Seed { get; set; }
    }

    private sealed class WideRequest
    {
        public float Label { get; set; }
        public ulong Seed { get; set; }
    }

    private static readonly DiffusionGeneratorOptions Fast = new() { Sampler = new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = 3 } };

    private static string TempZip() => Path.Combine(Path.GetTempPath(), $"ditml-chain-{Guid.NewGuid():N}.zip");

    private static void AssertSameColumn(IDataView before, IDataView after, string column)
    {
        var a = before.GetColumn<float[]>(column).ToArray();
        var b = after.GetColumn<float[]>(column).ToArray();
        Assert.HasCount(a.Length, b, column);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.HasCount(a[i].Length, b[i], $"{column}, row {i}");
            for (int k = 0; k < a[i].Length; k++) Assert.AreEqual(a[i][k], b[i][k], 1e-5f, $"{column}, row {i}, value {k}");
        }
    }

    [TestMethod]
    public void GenerateThenExtractFeaturesSavesLoadsAndKeepsSizedColumns()
    {
        using var exported = new ExportedModel(seed: 21);
        using var classifier = new ExportedClassifier(seed: 2);
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 5).Select(i => new Request { Label = i % 5, Seed = 7 + i }).ToList());
        var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast with { OutputSize = 28 }, new DiffusionGenerateOptions { BatchSize = 2 })
            .Append(ml.Transforms.ExtractImageFeatures(classifier.Path))
            .Fit(data);
        var before = model.Transform(data);
        string zip = TempZip();
        try
        {
            ml.Model.Save(model, data.Schema, zip);
            var loaded = new MLContext().RegisterDitML().Model.Load(zip, out var inputSchema);
            var fresh = new MLContext().Data.LoadFromEnumerable(Enumerable.Range(0, 5).Select(i => new Request { Label = i % 5, Seed = 7 + i }).ToList());
            var after = loaded.Transform(fresh);
            var pixels = after.Schema["Pixels"].Type as VectorDataViewType;
            Assert.IsNotNull(pixels);
            Assert.IsTrue(pixels.IsKnownSize, $"the loaded Pixels column is {pixels}, not a known-size vector");
            Assert.AreEqual(28 * 28, pixels.Size);
            Assert.AreEqual(before.Schema["Features"].Type, after.Schema["Features"].Type);
            AssertSameColumn(before, after, "Pixels");
            AssertSameColumn(before, after, "Features");
            AssertSameColumn(before, after, "Probabilities");
        }
        finally
        {
            File.Delete(zip);
            ((IDisposable)model.First()).Dispose();
        }
    }

    [TestMethod]
    public void GenerateThenVaeEncodeAndDecodeSavesAndLoads()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-chain-vae").FullName;
        using var exported = new ExportedModel(seed: 22, inputSize: 16, channels: 3);
        try
        {
            manual_seed(4);
            using (var vae = new AutoencoderKL(VaeConfig.Small))
            {
                vae.eval();
                VaeOnnxExporter.ExportEncoder(vae).Save(Path.Combine(dir, "encoder.onnx"));
                VaeOnnxExporter.ExportDecoder(vae).Save(Path.Combine(dir, "decoder.onnx"));
            }
            var ml = new MLContext(seed: 0);
            var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 3).Select(i => new Request { Label = i, Seed = 30 + i }).ToList());
            var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast)
                .Append(ml.Transforms.VaeEncode(Path.Combine(dir, "encoder.onnx")))
                .Append(ml.Transforms.VaeDecode("Reconstruction", "Latents", Path.Combine(dir, "decoder.onnx")))
                .Fit(data);
            var before = model.Transform(data);
            string zip = Path.Combine(dir, "chain.zip");
            ml.Model.Save(model, data.Schema, zip);
            var loaded = new MLContext().RegisterDitML().Model.Load(zip, out _);
            var after = loaded.Transform(data);
            Assert.AreEqual(3 * 16 * 16, ((VectorDataViewType)after.Schema["Pixels"].Type).Size);
            AssertSameColumn(before, after, "Pixels");
            AssertSameColumn(before, after, "Latents");
            AssertSameColumn(before, after, "Reconstruction");
            ((IDisposable)model.First()).Dispose();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void SingleLabelsAndUInt64SeedsSaveAndGenerateTheSameImages()
    {
        using var exported = new ExportedModel(seed: 23);
        var ml = new MLContext(seed: 0);
        // Seeds past long.MaxValue: the in-memory transformer reads their bits, and so must the loaded one.
        var rows = new[]
        {
            new WideRequest { Label = 1, Seed = ulong.MaxValue },
            new WideRequest { Label = 4, Seed = (ulong)long.MaxValue + 17 },
            new WideRequest { Label = 0, Seed = 3 },
        };
        var data = ml.Data.LoadFromEnumerable(rows);
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(data);
        var before = model.Transform(data);
        string zip = TempZip();
        try
        {
            ml.Model.Save(model, data.Schema, zip);
            var loaded = new MLContext().RegisterDitML().Model.Load(zip, out _);
            AssertSameColumn(before, loaded.Transform(data), "Pixels");
            var pixels = before.GetColumn<float[]>("Pixels").ToArray();
            CollectionAssert.AreNotEqual(pixels[0], pixels[1], "different seeds past long.MaxValue stay different");
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void ALoadedPipelineRefusesAFractionalSingleLabelAsTheOriginalDoes()
    {
        using var exported = new ExportedModel(seed: 24);
        var ml = new MLContext(seed: 0);
        var whole = ml.Data.LoadFromEnumerable(new[] { new WideRequest { Label = 2, Seed = 1 } });
        var fractional = ml.Data.LoadFromEnumerable(new[] { new WideRequest { Label = 2.5f, Seed = 1 } });
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(whole);
        var original = Assert.Throws<Exception>(() => model.Transform(fractional).GetColumn<float[]>("Pixels").ToArray());
        StringAssert.Contains(original.ToString(), "not a whole class number");
        string zip = TempZip();
        try
        {
            ml.Model.Save(model, whole.Schema, zip);
            var loaded = new MLContext().RegisterDitML().Model.Load(zip, out _);
            var e = Assert.Throws<Exception>(() => loaded.Transform(fractional).GetColumn<float[]>("Pixels").ToArray());
            StringAssert.Contains(e.ToString(), "not a whole class number");
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void PipelinesSavedInTheFirstFormatStillLoad()
    {
        using var exported = new ExportedModel(seed: 25);
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 3).Select(i => new Request { Label = i, Seed = 60 + i }).ToList());
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(data);
        var v1 = PersistedGeneration.BuildV1(GenerationSpec.For(exported.Path, Fast), model.Options, data.Schema);
        string zip = TempZip();
        try
        {
            ml.Model.Save(v1, data.Schema, zip);
            var loaded = new MLContext().RegisterDitML().Model.Load(zip, out _);
            AssertSameColumn(model.Transform(data), loaded.Transform(data), "Pixels");
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void AModelFileChangedAfterSavingIsReportedByPath()
    {
        using var exported = new ExportedModel(seed: 26);
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(new[] { new Request { Label = 1, Seed = 5 } });
        string zip = TempZip();
        try
        {
            using (var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(data)) ml.Model.Save(model, data.Schema, zip);
            using (var other = new ExportedModel(seed: 27)) File.Copy(other.Path, exported.Path, overwrite: true);
            var loaded = new MLContext().RegisterDitML().Model.Load(zip, out _);
            var e = Assert.Throws<Exception>(() => loaded.Transform(data).GetColumn<float[]>("Pixels").ToArray());
            StringAssert.Contains(e.ToString(), $"{exported.Path} changed since the pipeline was built");
        }
        finally
        {
            File.Delete(zip);
        }
    }
}
