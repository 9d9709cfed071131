using DitML.Generation;
using DitML.ML.Generation;
using DitML.ML.Training;
using DitML.Models;
using DitML.Onnx;
using DitML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Training.Tests;

/// <summary>
/// DiffiT in ML.NET: <c>TrainDiT</c> with a latent DiffiT config, and <c>TrainImageDiffiT</c> (EDM) — each trains on an
/// IDataView, exports, returns a generator that samples the trained model (the family and sampler it names), and
/// resumes a run left in its folder.
/// </summary>
[TestClass]
public sealed class DiffiTTrainerEstimatorTests
{
    private sealed class Image
    {
        [VectorType(1, 8, 8)] public float[] Pixels { get; set; } = [];
        public string Kind { get; set; } = "";
    }

    private sealed class Request
    {
        public long Label { get; set; }
        public long Seed { get; set; }
    }

    /// <summary>Two kinds of 8×8 images: bright top half ("top") or bright left half ("left").</summary>
    private static IDataView Labelled(MLContext ml, int n)
    {
        var images = ml.Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(i => new Image
        {
            Kind = i % 2 == 0 ? "top" : "left",
            Pixels = Enumerable.Range(0, 64).Select(p => (i % 2 == 0 ? p / 8 < 4 : p % 8 < 4) ? 0.8f : -0.8f).ToArray(),
        }).ToArray());
        return ml.Transforms.Conversion.MapValueToKey("Label", "Kind").Fit(images).Transform(images);
    }

    private static float[] Generate(MLContext ml, DiffusionGenerateTransformer generator) =>
        generator.Transform(ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new Request { Label = i % 2, Seed = i })))
            .GetColumn<float[]>("Pixels").SelectMany(p => p).ToArray();

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [TestMethod]
    public void TrainDiTTrainsALatentDiffiTAndExportsItAsOne()
    {
        string run = Directory.CreateTempSubdirectory("ditml-ml-diffit-").FullName;
        try
        {
            var ml = new MLContext(seed: 0);
            var losses = new List<double>();
            var diffit = new LatentDiffiTConfig { InputSize = 8, InChannels = 1, NumClasses = 2, Depth = 1, HiddenSize = 32, NumHeads = 2, PatchSize = 2 };
            var options = new DiTTrainerEstimatorOptions
            {
                OutputDirectory = run,
                DiffiT = diffit,
                Trainer = new TrainerOptions { Steps = 30, BatchSize = 8, LogEvery = 5, Optimizer = new AdamWOptions { LearningRate = 1e-3 }, EmaDecay = 0.9 },
                Progress = new SynchronousProgress(p => losses.Add(p.Loss)),
            };
            using var generator = ml.Generation().TrainDiT(options).Fit(Labelled(ml, 16));
            Assert.HasCount(6, losses);
            Assert.IsLessThan(losses[0], losses[^1], $"loss falls: {string.Join(", ", losses)}");
            using (var denoiser = new OnnxDenoiser(Path.Combine(run, "model.onnx")))
                Assert.AreEqual(diffit, denoiser.Info.DiffiTConfig, "the export is the latent DiffiT trained");
            var pixels = Generate(ml, generator);
            Assert.HasCount(4 * 64, pixels);
            Assert.IsTrue(pixels.All(v => v is >= -1 and <= 1));

            // A second Fit resumes the run in the folder toward the new step count.
            var steps = new List<long>();
            ml.Generation().TrainDiT(options with { Trainer = options.Trainer with { Steps = 40 }, Progress = new SynchronousProgress(p => steps.Add(p.Step)) })
                .Fit(Labelled(ml, 16)).Dispose();
            CollectionAssert.AreEqual(new long[] { 35, 40 }, steps, "resumed from step 30");

            var both = options with { Model = new DiTConfig { InputSize = 8, InChannels = 1, NumClasses = 2, Depth = 1, HiddenSize = 32, NumHeads = 2, PatchSize = 2 } };
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Generation().TrainDiT(both)).Message, "not both");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [TestMethod]
    public void TrainImageDiffiTTrainsWithEdmAndTheGeneratorSamplesWithHeun()
    {
        string run = Directory.CreateTempSubdirectory("ditml-ml-edm-").FullName;
        try
        {
            var ml = new MLContext(seed: 0);
            var losses = new List<double>();
            var options = new ImageDiffiTTrainerEstimatorOptions
            {
                OutputDirectory = run,
                Trainer = new TrainerOptions { Steps = 30, BatchSize = 8, LogEvery = 10, Optimizer = new AdamWOptions { LearningRate = 1e-3 }, EmaDecay = 0.9 },
                Export = new DitML.DiffiT.ImageDiffiTOnnxExportOptions { SamplingSteps = 4 },
                Progress = new SynchronousProgress(p => losses.Add(p.Loss)),
            };
            var estimator = ml.Generation().TrainImageDiffiT(options);
            using var generator = estimator.Fit(Labelled(ml, 16));
            Assert.HasCount(3, losses);
            Assert.IsTrue(losses.All(double.IsFinite));
            using (var denoiser = new OnnxDenoiser(estimator.ModelPath))
            {
                var edm = denoiser.EdmInfo ?? throw new AssertFailedException("the export is an EDM model");
                Assert.AreEqual(8, edm.Config.ImageSize, "the default config fitted to the data");
                Assert.AreEqual(2, edm.Config.NumClasses);
                Assert.AreEqual(4, edm.SamplingSteps);
            }
            var sampler = ((DiffusionGenerator)generator.Generator).Sampler;
            Assert.AreEqual(DitML.Sampling.SamplerKind.Heun, sampler.Options.Sampler, "EDM's sampler, as the model names it");
            Assert.AreEqual(4, sampler.Options.Steps);
            var pixels = Generate(ml, generator);
            Assert.HasCount(4 * 64, pixels);
            Assert.IsTrue(pixels.All(float.IsFinite));

            var steps = new List<long>();
            ml.Generation().TrainImageDiffiT(options with { Trainer = options.Trainer with { Steps = 40 }, Progress = new SynchronousProgress(p => steps.Add(p.Step)) })
                .Fit(Labelled(ml, 16)).Dispose();
            CollectionAssert.AreEqual(new long[] { 40 }, steps, "resumed from step 30");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }
}
