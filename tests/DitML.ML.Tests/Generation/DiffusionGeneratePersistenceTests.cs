using DitML.Generation;
using DitML.ML.Generation;
using DitML.Sampling;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Tests.Generation;

/// <summary>A pipeline with DiffusionGenerate survives mlContext.Model.Save / Load and generates the same images.</summary>
[TestClass]
public sealed class DiffusionGeneratePersistenceTests
{
    private sealed class Request
    {
        public int Label { get; set; }
        public long Seed { get; set; }
        public string Note { get; set; } = "";
    }

    private static readonly DiffusionGeneratorOptions Fast = new() { Sampler = new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = 4, GuidanceScale = 3 } };

    private static IDataView Requests(MLContext ml) => ml.Data.LoadFromEnumerable(
        Enumerable.Range(0, 6).Select(i => new Request { Label = i % 5, Seed = 100 + i, Note = $"n{i}" }));

    [TestMethod]
    public void SavedPipelineLoadsAndGeneratesTheSameImages()
    {
        using var exported = new ExportedModel(seed: 5);
        var ml = new MLContext(seed: 0);
        var data = Requests(ml);
        var pipeline = ml.Transforms.DiffusionGenerate(exported.Path, Fast, new DiffusionGenerateOptions { BatchSize = 4 })
            .Append(ml.Transforms.CopyColumns("NoteCopy", "Note"));
        var model = pipeline.Fit(data);
        var before = model.Transform(data).GetColumn<float[]>("Pixels").ToArray();

        string zip = Path.Combine(Path.GetTempPath(), $"ditml-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, zip);
            var loadContext = new MLContext().RegisterDitML();
            var loaded = loadContext.Model.Load(zip, out var schema);
            var output = loaded.Transform(data);
            var after = output.GetColumn<float[]>("Pixels").ToArray();
            Assert.HasCount(6, after);
            for (int i = 0; i < 6; i++)
                for (int k = 0; k < before[i].Length; k++)
                    Assert.AreEqual(before[i][k], after[i][k], 1e-5f, $"row {i}, pixel {k} (generated alone after loading, in batches of 4 before)");
            CollectionAssert.AreEqual(new[] { "n0", "n1", "n2", "n3", "n4", "n5" }, output.GetColumn<string>("NoteCopy").ToArray());
            Assert.IsNotNull(output.Schema.GetColumnOrNull("Image"));
            Assert.IsNull(output.Schema.GetColumnOrNull(PersistedGeneration.SpecColumn), "helper columns are dropped");
        }
        finally
        {
            File.Delete(zip);
            ((IDisposable)model.First()).Dispose();
        }
    }

    private sealed class RawKey
    {
        [KeyType(5)] public uint Label { get; set; }
        public long Seed { get; set; }
    }

    [TestMethod]
    public void KeysWithoutValuesAreRefusedOnSaveWithAClearMessage()
    {
        using var exported = new ExportedModel(seed: 6);
        var ml = new MLContext();
        var keyed = ml.Data.LoadFromEnumerable(new[] { new RawKey { Label = 3, Seed = 3 }, new RawKey { Label = 1, Seed = 4 } });
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(keyed);
        Assert.HasCount(2, model.Transform(keyed).GetColumn<float[]>("Pixels").ToArray(), "keys work for generating");
        var e = Assert.Throws<Exception>(() => ml.Model.Save(model, keyed.Schema, Path.Combine(Path.GetTempPath(), "never.zip")));
        StringAssert.Contains(e.ToString(), "is a key without key values");
    }

    [TestMethod]
    public void KeyLabelsWithValuesSaveAndLoad()
    {
        using var exported = new ExportedModel(seed: 8, classNames: ["a", "b", "c", "d", "e"]);
        var ml = new MLContext();
        var raw = ml.Data.LoadFromEnumerable(new[] { new { Name = "c", Seed = 3L }, new { Name = "a", Seed = 4L } });
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "Name").Fit(raw).Transform(raw);
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(keyed);
        var before = model.Transform(keyed).GetColumn<float[]>("Pixels").ToArray();
        string zip = Path.Combine(Path.GetTempPath(), $"ditml-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, keyed.Schema, zip);
            var after = new MLContext().RegisterDitML().Model.Load(zip, out _).Transform(keyed).GetColumn<float[]>("Pixels").ToArray();
            for (int i = 0; i < 2; i++)
                for (int k = 0; k < before[i].Length; k++) Assert.AreEqual(before[i][k], after[i][k], 1e-5f, $"row {i}, pixel {k}");
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void ChangedModelFileIsDetectedOnLoad()
    {
        var ml = new MLContext();
        var data = Requests(ml);
        string zip = Path.Combine(Path.GetTempPath(), $"ditml-{Guid.NewGuid():N}.zip");
        string modelPath;
        using (var exported = new ExportedModel(seed: 7))
        {
            modelPath = exported.Path;
            using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(data);
            ml.Model.Save(model, data.Schema, zip);
        }
        try
        {
            var loaded = new MLContext().RegisterDitML().Model.Load(zip, out _);
            var e = Assert.Throws<Exception>(() => loaded.Transform(data).GetColumn<float[]>("Pixels").ToArray());
            StringAssert.Contains(e.ToString(), modelPath, "the error names the missing model file");
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void CustomGeneratorsSayTheyCannotBeSaved()
    {
        var ml = new MLContext();
        var data = Requests(ml);
        var model = ml.Transforms.DiffusionGenerate(new RecordingGenerator(size: 8)).Fit(data);
        var e = Assert.Throws<Exception>(() => ml.Model.Save(model, data.Schema, Path.Combine(Path.GetTempPath(), "never.zip")));
        StringAssert.Contains(e.ToString(), "custom IImageGenerator cannot be saved");
    }

    [TestMethod]
    public void PipelinesSavedBeforeTheSamplerOwnedGuidanceKeepTheirScale()
    {
        // Format 1 (no Format field) kept the scale beside the sampler, whose own 4.0 was then overwritten.
        static GenerationSpec Legacy(string guidance) => GenerationSpec.FromBase64(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            $$"""{"ModelPath":"/m.onnx","ModelSha256":"AB","Sampler":{"Sampler":"Ddim","Steps":4,"GuidanceScale":4.0,"BatchSize":16},"GuidanceScale":{{guidance}},"Threads":0,"OutputSize":null}""")));
        Assert.AreEqual(3.0, Legacy("3").GeneratorOptions.Sampler!.GuidanceScale, "the saved scale, not the sampler's default");
        Assert.IsNull(Legacy("null").GeneratorOptions.Sampler!.GuidanceScale, "no saved scale: the model's recommendation, as it was");

        using var exported = new ExportedModel();
        var spec = GenerationSpec.For(exported.Path, Fast);
        var again = GenerationSpec.FromBase64(spec.ToBase64());
        Assert.AreEqual(2, again.Format);
        Assert.AreEqual(3.0, again.GeneratorOptions.Sampler!.GuidanceScale);
    }
}
