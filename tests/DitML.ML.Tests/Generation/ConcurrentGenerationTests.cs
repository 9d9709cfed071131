using DitML.Generation;
using DitML.ML.Generation;
using DitML.Sampling;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Tests.Generation;

/// <summary>
/// One generator or fitted DiffusionGenerate shared by many threads, as a server shares it: every thread gets exactly
/// the pixels a single thread gets for the same call.
/// </summary>
[TestClass]
public sealed class ConcurrentGenerationTests
{
    private const int Threads = 8;

    private sealed class Request
    {
        public int Label { get; set; }
        public long Seed { get; set; }
    }

    private sealed class Output
    {
        [VectorType(1, 8, 8)] public float[] Pixels { get; set; } = [];
    }

    private static readonly DiffusionGeneratorOptions Fast = new() { Sampler = new SamplerOptions { Steps = 3 } };

    /// <summary>Runs <paramref name="work"/> on <see cref="Threads"/> threads released together; rethrows the first failure.</summary>
    private static void OnThreads(Action<int> work)
    {
        using var start = new Barrier(Threads);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                work(t);
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (!errors.IsEmpty) throw new AggregateException(errors);
    }

    /// <summary>The (labels, seeds) of call <paramref name="call"/> of thread <paramref name="thread"/>: 1 to 5 rows.</summary>
    private static (long[] Labels, long[] Seeds) Call(int thread, int call)
    {
        int n = 1 + (thread + call) % 5;
        return (Enumerable.Range(0, n).Select(i => (long)((thread + i) % 5)).ToArray(),
                Enumerable.Range(0, n).Select(i => 1000L * thread + 10L * call + i).ToArray());
    }

    [TestMethod]
    [DataRow(null, DisplayName = "model size")]
    [DataRow(12, DisplayName = "resized to 12")]
    public void SharedGeneratorGivesEveryThreadTheSingleThreadPixels(int? outputSize)
    {
        using var exported = new ExportedModel(seed: 11);
        var generator = DiffusionGenerator.OpenImages(exported.Path, Fast with { OutputSize = outputSize });
        try
        {
            int size = generator.Channels * generator.Height * generator.Width;
            const int Calls = 3;
            var expected = new float[Threads, Calls][];
            for (int t = 0; t < Threads; t++)
                for (int c = 0; c < Calls; c++)
                {
                    var (labels, seeds) = Call(t, c);
                    expected[t, c] = new float[labels.Length * size];
                    generator.Generate(labels, seeds, expected[t, c]);
                }
            var actual = new float[Threads, Calls][];
            OnThreads(t =>
            {
                for (int c = 0; c < Calls; c++)
                {
                    var (labels, seeds) = Call(t, c);
                    actual[t, c] = new float[labels.Length * size];
                    generator.Generate(labels, seeds, actual[t, c]);
                }
            });
            for (int t = 0; t < Threads; t++)
                for (int c = 0; c < Calls; c++)
                    CollectionAssert.AreEqual(expected[t, c], actual[t, c], $"thread {t}, call {c} ({Call(t, c).Labels.Length} rows)");
        }
        finally
        {
            (generator as IDisposable)?.Dispose();
        }
    }

    [TestMethod]
    public void PredictionEnginesAndTransformsOnOneFittedModelMatchOneThread()
    {
        using var exported = new ExportedModel(seed: 12);
        var ml = new MLContext(seed: 1);
        // Threads 0-3 each own a prediction engine; threads 4-7 call Transform on views of 7, 5, 2 and 9 rows, so
        // batches of 4 end in partial batches of different sizes while single rows run beside them.
        int[] lengths = [7, 5, 2, 9];
        IDataView View(int t) => ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, lengths[t - 4]).Select(i => new Request { Label = (t + i) % 5, Seed = 100L * t + i }).ToList());
        Request[] Requests(int t) => Enumerable.Range(0, 4).Select(i => new Request { Label = (t + 2 * i) % 5, Seed = 50L * t + i }).ToArray();

        var fitData = View(4);
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast, new DiffusionGenerateOptions { BatchSize = 4 }).Fit(fitData);

        float[][] Run(int t)
        {
            if (t < 4)
            {
                // A prediction engine disposes the transformer it was made from unless told it does not own it.
                using var engine = ml.Model.CreatePredictionEngine<Request, Output>(model, new PredictionEngineOptions { OwnsTransformer = false });
                return Requests(t).Select(r => engine.Predict(r).Pixels.ToArray()).ToArray();
            }
            return model.Transform(View(t)).GetColumn<float[]>("Pixels").ToArray();
        }

        var expected = Enumerable.Range(0, Threads).Select(Run).ToArray();
        var actual = new float[Threads][][];
        OnThreads(t =>
        {
            actual[t] = Run(t);
            actual[t] = Run(t);                                                   // twice: buffers reused across calls
        });
        for (int t = 0; t < Threads; t++)
        {
            Assert.HasCount(expected[t].Length, actual[t], $"thread {t}");
            for (int r = 0; r < expected[t].Length; r++)
                CollectionAssert.AreEqual(expected[t][r], actual[t][r], $"thread {t} ({(t < 4 ? "prediction engine" : $"Transform of {lengths[t - 4]} rows")}), row {r}");
        }
    }

    [TestMethod]
    public void UsingATransformerAPredictionEngineDisposedSaysWhy()
    {
        using var exported = new ExportedModel(seed: 13);
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Request { Label = 1, Seed = 2 } });
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(data);
        using (var engine = ml.Model.CreatePredictionEngine<Request, Output>(model)) engine.Predict(new Request { Label = 1, Seed = 2 });
        var e = Assert.ThrowsExactly<ObjectDisposedException>(() => model.Transform(data));
        StringAssert.Contains(e.Message, "OwnsTransformer = false");
    }

    private sealed class FlatOutput
    {
        public float[] Pixels { get; set; } = [];
    }

    [TestMethod]
    public void ALoadedPipelineSharedByThreadsMatchesOneThread()
    {
        using var exported = new ExportedModel(seed: 14);
        var ml = new MLContext(seed: 1);
        IDataView View(int t) => ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, 1 + t % 3).Select(i => new Request { Label = (t + i) % 5, Seed = 10L * t + i }).ToList());
        string zip = Path.Combine(Path.GetTempPath(), $"ditml-shared-{Guid.NewGuid():N}.zip");
        try
        {
            using (var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(View(0))) ml.Model.Save(model, View(0).Schema, zip);
            var loaded = new MLContext().RegisterDitML().Model.Load(zip, out _);
            float[][] Run(int t)
            {
                if (t % 2 == 0) return loaded.Transform(View(t)).GetColumn<float[]>("Pixels").ToArray();
                using var engine = ml.Model.CreatePredictionEngine<Request, FlatOutput>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
                return Enumerable.Range(0, 3).Select(i => engine.Predict(new Request { Label = (t + i) % 5, Seed = 7L * t + i }).Pixels.ToArray()).ToArray();
            }
            var expected = Enumerable.Range(0, Threads).Select(Run).ToArray();
            var actual = new float[Threads][][];
            OnThreads(t => actual[t] = Run(t));
            for (int t = 0; t < Threads; t++)
            {
                Assert.HasCount(expected[t].Length, actual[t]);
                for (int r = 0; r < expected[t].Length; r++) CollectionAssert.AreEqual(expected[t][r], actual[t][r], $"thread {t}, row {r}");
            }
        }
        finally
        {
            File.Delete(zip);
        }
    }
}
