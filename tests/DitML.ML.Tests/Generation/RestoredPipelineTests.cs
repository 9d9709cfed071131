using DitML.Generation;
using DitML.ML.Generation;
using DitML.ML.Tests.Metrics;
using DitML.Sampling;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace DitML.ML.Tests.Generation;

/// <summary>
/// <c>mlContext.Generation().LoadModel</c>: a saved pipeline loaded in a fresh MLContext gets its DiffusionGenerate back
/// as the batched transformer, with sized columns, and a missing or changed model file fails the load itself.
/// </summary>
[TestClass]
public sealed class RestoredPipelineTests
{
    private sealed class Request
    {
        public int Label { get; set; }
        public long Seed { get; set; }
    }

    private sealed class Output
    {
        public float[] Pixels { get; set; } = [];
    }

    private static readonly DiffusionGeneratorOptions Fast = new() { Sampler = new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = 3 } };

    private static IDataView Requests(MLContext ml, int count, int seed0) =>
        ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new Request { Label = i % 5, Seed = seed0 + i }).ToList());

    private static string TempZip() => Path.Combine(Path.GetTempPath(), $"ditml-restore-{Guid.NewGuid():N}.zip");

    private static void AssertSameColumn(IDataView before, IDataView after, string column)
    {
        var a = before.GetColumn<float[]>(column).ToArray();
        var b = after.GetColumn<float[]>(column).ToArray();
        Assert.HasCount(a.Length, b, column);
        for (int i = 0; i < a.Length; i++)
            CollectionAssert.AreEqual(a[i], b[i], $"{column}, row {i}: the restored pipeline must give exactly the original's values");
    }

    [TestMethod]
    public void LoadModelRestoresTheBatchedTransformerWithSizedColumns()
    {
        using var exported = new ExportedModel(seed: 41);
        using var classifier = new ExportedClassifier(seed: 3);
        var ml = new MLContext(seed: 0);
        var data = Requests(ml, 7, 100);
        var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast with { OutputSize = 28 }, new DiffusionGenerateOptions { BatchSize = 3, PixelsColumnName = "Px" })
            .Append(ml.Transforms.ExtractImageFeatures("Features", "Probabilities", "Px", classifier.Path))
            .Fit(data);
        string zip = TempZip();
        try
        {
            ml.Model.Save(model, data.Schema, zip);
            var fresh = new MLContext();
            var loaded = fresh.Generation().LoadModel(zip, out var inputSchema);
            Assert.AreEqual(data.Schema["Label"].Type, inputSchema["Label"].Type);

            var generate = ((IEnumerable<ITransformer>)loaded).OfType<DiffusionGenerateTransformer>().SingleOrDefault();
            Assert.IsNotNull(generate, $"the loaded chain holds {string.Join(", ", ((IEnumerable<ITransformer>)loaded).Select(t => t.GetType().Name))}, not the restored DiffusionGenerateTransformer");
            Assert.AreEqual(3, generate.Options.BatchSize);
            Assert.AreEqual("Px", generate.Options.PixelsColumnName);

            var after = loaded.Transform(Requests(fresh, 7, 100));
            var pixels = (VectorDataViewType)after.Schema["Px"].Type;
            CollectionAssert.AreEqual(new[] { 1, 28, 28 }, pixels.Dimensions.ToArray(), "restored Pixels keep their (C, H, W) dimensions");
            var image = (ImageDataViewType)after.Schema["Image"].Type;
            Assert.AreEqual((28, 28), (image.Height, image.Width), "restored images have their size");

            var before = model.Transform(data);
            AssertSameColumn(before, after, "Px");
            AssertSameColumn(before, after, "Features");
            AssertSameColumn(before, after, "Probabilities");

            // A restored pipeline saves and restores again to the same images.
            string again = TempZip();
            try
            {
                fresh.Model.Save(loaded, inputSchema, again);
                var twice = new MLContext().Generation().LoadModel(again, out _);
                AssertSameColumn(before, twice.Transform(Requests(new MLContext(), 7, 100)), "Px");
                (twice as IDisposable)?.Dispose();
            }
            finally
            {
                File.Delete(again);
            }
            (loaded as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(zip);
            ((IDisposable)model.First()).Dispose();
        }
    }

    [TestMethod]
    public void ARestoredPipelineSharedBySixThreadsGivesTheOriginalPixels()
    {
        using var exported = new ExportedModel(seed: 46);
        var ml = new MLContext(seed: 0);
        int[] lengths = [7, 2, 5];
        IDataView View(MLContext context, int t) => context.Data.LoadFromEnumerable(
            Enumerable.Range(0, lengths[t - 3]).Select(i => new Request { Label = (t + i) % 5, Seed = 100L * t + i }).ToList());
        Request[] Singles(int t) => Enumerable.Range(0, 3).Select(i => new Request { Label = (t + 2 * i) % 5, Seed = 50L * t + i }).ToArray();
        using var original = ml.Transforms.DiffusionGenerate(exported.Path, Fast, new DiffusionGenerateOptions { BatchSize = 4 }).Fit(View(ml, 3));
        var expected = Enumerable.Range(0, 6).Select(t => t < 3
            ? Singles(t).Select(r => original.Transform(ml.Data.LoadFromEnumerable(new[] { r })).GetColumn<float[]>("Pixels").Single()).ToArray()
            : original.Transform(View(ml, t)).GetColumn<float[]>("Pixels").ToArray()).ToArray();
        string zip = TempZip();
        try
        {
            ml.Model.Save(original, View(ml, 3).Schema, zip);
            var fresh = new MLContext();
            var loaded = fresh.Generation().LoadModel(zip, out _);
            var actual = new float[6][][];
            var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
            using var start = new Barrier(6);
            var threads = Enumerable.Range(0, 6).Select(t => new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    if (t < 3)
                    {
                        using var engine = fresh.Model.CreatePredictionEngine<Request, Output>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
                        actual[t] = Singles(t).Select(r => engine.Predict(r).Pixels.ToArray()).ToArray();
                    }
                    else actual[t] = loaded.Transform(View(fresh, t)).GetColumn<float[]>("Pixels").ToArray();
                }
                catch (Exception e) { failures.Enqueue(e); }
            })).ToList();
            threads.ForEach(th => th.Start());
            threads.ForEach(th => th.Join());
            Assert.IsEmpty(failures, string.Join("\n", failures));
            for (int t = 0; t < 6; t++)
                for (int r = 0; r < expected[t].Length; r++)
                    CollectionAssert.AreEqual(expected[t][r], actual[t][r], $"thread {t}, row {r}");
            (loaded as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void AMissingModelFileFailsTheLoadNamingIt()
    {
        var ml = new MLContext(seed: 0);
        var data = Requests(ml, 2, 5);
        string zip = TempZip();
        string path;
        try
        {
            using (var exported = new ExportedModel(seed: 42))
            {
                path = exported.Path;
                using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(data);
                ml.Model.Save(model, data.Schema, zip);
            }
            Assert.IsFalse(File.Exists(path));
            var e = Assert.Throws<FileNotFoundException>(() => new MLContext().Generation().LoadModel(zip, out _));
            StringAssert.Contains(e.Message, path);
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void AChangedModelFileFailsTheLoadNamingIt()
    {
        using var exported = new ExportedModel(seed: 43);
        var ml = new MLContext(seed: 0);
        var data = Requests(ml, 2, 5);
        string zip = TempZip();
        try
        {
            using (var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Append(ml.Transforms.CopyColumns("Copy", "Pixels")).Fit(data))
                ml.Model.Save(model, data.Schema, zip);
            using (var other = new ExportedModel(seed: 44)) File.Copy(other.Path, exported.Path, overwrite: true);
            var e = Assert.Throws<InvalidDataException>(() => new MLContext().Generation().LoadModel(zip, out _));
            StringAssert.Contains(e.Message, $"{exported.Path} changed since the pipeline was built");
            // ML.NET's own Model.Load runs no DitML code: it loads, and the change shows at the first generated row.
            var plain = new MLContext().RegisterDitML().Model.Load(zip, out _);
            Assert.Throws<Exception>(() => plain.Transform(data).GetColumn<float[]>("Pixels").ToArray());
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void PipelinesSavedBeforeColumnsWereKeptLoadRowByRow()
    {
        using var exported = new ExportedModel(seed: 45);
        var ml = new MLContext(seed: 0);
        var data = Requests(ml, 3, 60);
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(data);
        var v1 = PersistedGeneration.BuildV1(GenerationSpec.For(exported.Path, Fast), model.Options, data.Schema);
        string zip = TempZip();
        try
        {
            ml.Model.Save(v1, data.Schema, zip);
            var loaded = new MLContext().Generation().LoadModel(zip, out _);
            Assert.IsFalse(((IEnumerable<ITransformer>)loaded).OfType<DiffusionGenerateTransformer>().Any(), "a format-1 pipeline has no saved columns to restore from");
            AssertSameColumn(model.Transform(data), loaded.Transform(data), "Pixels");
        }
        finally
        {
            File.Delete(zip);
        }
    }
}
