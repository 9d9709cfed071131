using DitML.Generation;
using DitML.ML.Generation;
using DitML.Sampling;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Tests.Generation;

/// <summary>DiffusionGenerate on a real exported model running on ONNX Runtime.</summary>
[TestClass]
public sealed class DiffusionGenerateOnnxTests
{
    private sealed class Request
    {
        public int Label { get; set; }
        public long Seed { get; set; }
    }

    private static readonly DiffusionGeneratorOptions Fast = new() { Sampler = new SamplerOptions { Steps = 4 } };

    [TestMethod]
    public void PipelineGeneratesDeterministicallyAndIndependentlyOfBatching()
    {
        using var exported = new ExportedModel();
        var ml = new MLContext(seed: 1);
        var requests = Enumerable.Range(0, 5).Select(i => new Request { Label = i % 5, Seed = 40 + i }).ToList();
        var data = ml.Data.LoadFromEnumerable(requests);

        float[][] Run(int batch)
        {
            using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast, new DiffusionGenerateOptions { BatchSize = batch }).Fit(data);
            return model.Transform(data).GetColumn<float[]>("Pixels").ToArray();
        }

        var a = Run(4);
        var b = Run(4);
        var c = Run(1);
        Assert.HasCount(5, a);
        for (int i = 0; i < 5; i++)
        {
            Assert.HasCount(64, a[i]);
            CollectionAssert.AreEqual(a[i], b[i], "same seeds, same images");
            for (int k = 0; k < 64; k++) Assert.AreEqual(a[i][k], c[i][k], 1e-5f, $"row {i} alone vs in a batch of 4");
            Assert.IsTrue(a[i].All(v => v is >= -1 and <= 1));
        }
        CollectionAssert.AreNotEqual(a[0], a[1]);
    }

    [TestMethod]
    public void AnInt8ModelRunsInThePipelineAndPredictsCloseToItsFloat32Export()
    {
        using var fp32 = new ExportedModel(seed: 4);
        using var int8 = new ExportedModel(seed: 4, precision: DitML.Onnx.OnnxPrecision.Int8);
        using (var a = new DitML.Onnx.OnnxDenoiser(fp32.Path))
        using (var b = new DitML.Onnx.OnnxDenoiser(int8.Path))
        {
            Assert.AreEqual(DitML.Onnx.OnnxPrecision.Float32, a.Info.Precision);
            Assert.AreEqual(DitML.Onnx.OnnxPrecision.Int8, b.Info.Precision);
            var x = Enumerable.Range(0, 2 * 64).Select(i => (float)Math.Sin(0.7 * i)).ToArray();
            var pa = new float[2 * 2 * 64];
            var pb = new float[pa.Length];
            a.Predict(x, [20f, 700f], [1, 5], pa);
            b.Predict(x, [20f, 700f], [1, 5], pb);
            double rms = Math.Sqrt(pa.Zip(pb, (p, q) => (double)(p - q) * (p - q)).Average()), scale = Math.Sqrt(pa.Average(v => (double)v * v));
            // The quantization error of a few int8 linears (DiTOnnxExporterTests bounds it on the exporter side).
            Assert.IsLessThan(0.05, rms / scale, $"relative RMS error {rms / scale:E2}");
            Assert.IsGreaterThan(1e-5, rms / scale, "the int8 model is really quantized");
        }

        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 3).Select(i => new Request { Label = i, Seed = 10 + i }).ToList());
        using var model = ml.Transforms.DiffusionGenerate(int8.Path, Fast).Fit(data);
        var pixels = model.Transform(data).GetColumn<float[]>("Pixels").ToArray();
        using var denoiser = new DitML.Onnx.OnnxDenoiser(int8.Path);
        var direct = DiffusionSampler.Create(new SamplerOptions { Steps = 4, GuidanceScale = 2, ClipDenoised = true }).Sample(denoiser, [0, 1, 2], [10, 11, 12]);
        CollectionAssert.AreEqual(direct, pixels.SelectMany(p => p).ToArray(), "the pipeline samples the int8 model as the sampler does");
    }

    [TestMethod]
    public void GeneratorMatchesTheSamplerOnTheSameModel()
    {
        using var exported = new ExportedModel(seed: 3);
        using var generator = DiffusionGenerator.Open(exported.Path, Fast);
        Assert.AreEqual(2.0, generator.Sampler.Options.GuidanceScale, "the model's recommended guidance by default");
        var pixels = new float[2 * 64];
        generator.Generate([1, 4], [7, 8], pixels);
        using var denoiser = new DitML.Onnx.OnnxDenoiser(exported.Path);
        Assert.IsTrue(generator.Sampler.Options.ClipDenoised, "pixel-space models clip x̂₀");
        var direct = DiffusionSampler.Create(new SamplerOptions { Steps = 4, GuidanceScale = 2, ClipDenoised = true }).Sample(denoiser, [1, 4], [7, 8]);
        CollectionAssert.AreEqual(direct, pixels);
    }

    [TestMethod]
    public void AGuidanceScaleTheCallerSetsIsNotReplacedByTheModels()
    {
        using var exported = new ExportedModel(seed: 3);
        using var generator = DiffusionGenerator.Open(exported.Path, new DiffusionGeneratorOptions { Sampler = new SamplerOptions { Steps = 4, GuidanceScale = 3 } });
        Assert.AreEqual(3.0, generator.Sampler.Options.GuidanceScale, "the model recommends 2; the caller asked for 3");
        using var unguided = DiffusionGenerator.Open(exported.Path, new DiffusionGeneratorOptions { Sampler = new SamplerOptions { Steps = 4, GuidanceScale = 1 } });
        Assert.AreEqual(1.0, unguided.Sampler.Options.GuidanceScale);
    }

    [TestMethod]
    public void PredictionEngineOnTheRealModel()
    {
        using var exported = new ExportedModel();
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Request { Label = 2, Seed = 1 } });
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<Request, Output>(model);
        var first = engine.Predict(new Request { Label = 2, Seed = 9 });
        var again = engine.Predict(new Request { Label = 2, Seed = 9 });
        CollectionAssert.AreEqual(first.Pixels, again.Pixels);
        Assert.HasCount(64, first.Pixels);
    }

    [TestMethod]
    public void OutputSizeResizesBothColumns()
    {
        using var exported = new ExportedModel();
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Request { Label = 1, Seed = 2 } });
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast with { OutputSize = 16 }).Fit(data);
        var schema = model.GetOutputSchema(data.Schema);
        Assert.AreEqual(new Microsoft.ML.Transforms.Image.ImageDataViewType(16, 16), schema["Image"].Type);
        Assert.HasCount(256, model.Transform(data).GetColumn<float[]>("Pixels").Single());
    }

    [TestMethod]
    public void MissingModelFileIsNamed()
    {
        var ml = new MLContext();
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => ml.Transforms.DiffusionGenerate("/no/model.onnx"));
        StringAssert.Contains(e.Message, "/no/model.onnx");
    }

    private sealed class StepCounter(Action<DitML.Generation.GenerationProgress> onReport) : IProgress<DitML.Generation.GenerationProgress>
    {
        public void Report(DitML.Generation.GenerationProgress value) => onReport(value);
    }

    [TestMethod]
    public void OptionsReportProgressAndCancelBetweenSteps()
    {
        using var exported = new ExportedModel(seed: 4);
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 5).Select(i => new Request { Label = i % 5, Seed = i }).ToList());
        int reports = 0;
        var counting = new DiffusionGenerateOptions { BatchSize = 4, Progress = new StepCounter(_ => Interlocked.Increment(ref reports)) };
        using (var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast, counting).Fit(data))
            Assert.HasCount(5, model.Transform(data).GetColumn<float[]>("Pixels").ToArray());
        Assert.AreEqual(2 * 4, reports, "4 steps for each of the 2 batches");

        using var cancel = new CancellationTokenSource();
        int steps = 0;
        var cancelling = new DiffusionGenerateOptions
        {
            BatchSize = 4,
            CancellationToken = cancel.Token,
            Progress = new StepCounter(p => { steps++; if (p.Step == 2) cancel.Cancel(); }),
        };
        using var cancelled = ml.Transforms.DiffusionGenerate(exported.Path, Fast, cancelling).Fit(data);
        var e = Assert.Throws<Exception>(() => cancelled.Transform(data).GetColumn<float[]>("Pixels").ToArray());
        Assert.IsTrue(e is OperationCanceledException || e.InnerException is OperationCanceledException, e.ToString());
        Assert.AreEqual(2, steps, "generation stopped after the step during which it was cancelled");
    }

    private sealed class Output
    {
        [VectorType(1, 8, 8)] public float[] Pixels { get; set; } = [];
    }
}
