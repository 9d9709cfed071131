using DitML.ML;
using DitML.ML.Generation;
using DitML.ML.Training;
using DitML.Models;
using DitML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Training.Tests;

[TestClass]
public sealed class DiTTrainerEstimatorTests
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

    private sealed class Generated
    {
        public long Label { get; set; }
        public float[] Pixels { get; set; } = [];
    }

    /// <summary>Two kinds of 8×8 images: bright top half ("top") or bright left half ("left").</summary>
    private static Image[] Images(int n) => Enumerable.Range(0, n).Select(i => new Image
    {
        Kind = i % 2 == 0 ? "top" : "left",
        Pixels = Enumerable.Range(0, 64).Select(p => (i % 2 == 0 ? p / 8 < 4 : p % 8 < 4) ? 0.8f : -0.8f).ToArray(),
    }).ToArray();

    [TestMethod]
    public void FitTrainsOnAnIDataViewAndReturnsAGeneratorThatSavesAndLoads()
    {
        string run = Directory.CreateTempSubdirectory("ditml-ml-train-").FullName;
        try
        {
            var ml = new MLContext(seed: 0);
            var images = ml.Data.LoadFromEnumerable(Images(16));
            var losses = new List<double>();
            // Labels as ML.NET keys; the trainer's output reads other rows (Label, Seed), so it is fitted on its own.
            var labelled = ml.Transforms.Conversion.MapValueToKey("Label", "Kind").Fit(images).Transform(images);
            var trainer = ml.Generation().TrainDiT(new DiTTrainerEstimatorOptions
                {
                    OutputDirectory = run,
                    Model = new DiTConfig { InputSize = 8, InChannels = 1, NumClasses = 2, Depth = 1, HiddenSize = 32, NumHeads = 2, PatchSize = 2 },
                    Trainer = new TrainerOptions { Steps = 30, BatchSize = 8, LogEvery = 5, Optimizer = new AdamWOptions { LearningRate = 1e-3 }, EmaDecay = 0.9 },
                    Progress = new SynchronousProgress(p => losses.Add(p.Loss)),
                });
            var generator = trainer.Fit(labelled);
            Assert.HasCount(6, losses);
            Assert.IsLessThan(losses[0], losses[^1], $"loss falls: {string.Join(", ", losses)}");
            Assert.IsTrue(File.Exists(Path.Combine(run, "model.onnx")));

            // The result generates from (Label, Seed) rows.
            var requests = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new Request { Label = i % 2, Seed = i }));
            var first = ml.Data.CreateEnumerable<Generated>(generator.Transform(requests), reuseRowObject: false).ToList();
            Assert.HasCount(4, first);
            Assert.IsTrue(first.All(g => g.Pixels.Length == 64 && g.Pixels.All(v => v is >= -1 and <= 1)));

            string saved = Path.Combine(run, "generator.zip");
            ml.Model.Save(generator, requests.Schema, saved);
            var loaded = new MLContext().RegisterDitML().Model.Load(saved, out _);
            var again = ml.Data.CreateEnumerable<Generated>(loaded.Transform(requests), reuseRowObject: false).ToList();
            for (int i = 0; i < 4; i++) CollectionAssert.AreEqual(first[i].Pixels, again[i].Pixels, $"row {i} after save/load");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [TestMethod]
    public void TrainDiTTrainsInTheAskedPrecisionAndStoresIt()
    {
        string run = Directory.CreateTempSubdirectory("ditml-ml-bf16-").FullName;
        try
        {
            var ml = new MLContext(seed: 0);
            var images = ml.Data.LoadFromEnumerable(Images(8));
            var labelled = ml.Transforms.Conversion.MapValueToKey("Label", "Kind").Fit(images).Transform(images);
            var losses = new List<double>();
            var trainer = ml.Generation().TrainDiT(new DiTTrainerEstimatorOptions
            {
                OutputDirectory = run,
                Model = new DiTConfig { InputSize = 8, InChannels = 1, NumClasses = 2, Depth = 1, HiddenSize = 16, NumHeads = 2, PatchSize = 2 },
                Trainer = new TrainerOptions { Steps = 2, BatchSize = 4, LogEvery = 1, Precision = DitML.Precision.ComputePrecision.Bf16 },
                Progress = new SynchronousProgress(p => losses.Add(p.Loss)),
            });
            trainer.Fit(labelled);
            Assert.HasCount(2, losses);
            Assert.IsTrue(losses.All(double.IsFinite));
            var stored = TrainingCheckpoint.Read(Path.Combine(run, TrainingCheckpoint.FileName));
            Assert.AreEqual(DitML.Precision.ComputePrecision.Bf16, stored.Options.Precision);
            Assert.IsTrue(stored.Contents.Tensors.Values.All(t => t.DType == DitML.Checkpoints.TensorDType.Float32), "float32 weights, EMA and moments");
            Assert.IsTrue(File.Exists(trainer.ModelPath), "exported as any run (float32 weights)");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [TestMethod]
    public void ColumnsWithoutAnImageShapeAreRefused()
    {
        var ml = new MLContext();
        var flat = ml.Data.LoadFromEnumerable(new[] { new { Pixels = new float[64], Label = 0L } });
        var estimator = ml.Generation().TrainDiT(new DiTTrainerEstimatorOptions { OutputDirectory = Path.Combine(Path.GetTempPath(), "ditml-never") });
        var e = Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(flat));
        StringAssert.Contains(e.Message, "(C, H, W)");
        Assert.IsFalse(Directory.Exists(Path.Combine(Path.GetTempPath(), "ditml-never")), "nothing written");
    }

    [TestMethod]
    public void OutputSchemaIsTheGeneratedColumnsNotTheInput()
    {
        var ml = new MLContext();
        var images = ml.Data.LoadFromEnumerable(Images(2));
        var labelled = ml.Transforms.Conversion.MapValueToKey("Label", "Kind");
        var estimator = ml.Generation().TrainDiT(new DiTTrainerEstimatorOptions
        {
            OutputDirectory = Path.Combine(Path.GetTempPath(), "ditml-never"),
            Generate = new DiffusionGenerateOptions { ImageColumnName = "Sample", PixelsColumnName = "SamplePixels" },
        });
        var shape = labelled.Append(estimator).GetOutputSchema(ShapeOf(images.Schema));
        Assert.IsTrue(shape.SingleOrDefault(c => c.Name == "Sample") is { Name: not null } image && image.ItemType is Microsoft.ML.Transforms.Image.ImageDataViewType);
        Assert.IsTrue(shape.SingleOrDefault(c => c.Name == "SamplePixels") is { Name: not null } pixels && pixels.Kind == SchemaShape.Column.VectorKind.Vector);
        Assert.IsTrue(shape.Any(c => c.Name == "Pixels") && shape.Any(c => c.Name == "Label"), "the input's columns stay");
        var e = Assert.ThrowsExactly<ArgumentException>(() => estimator.GetOutputSchema(ShapeOf(images.Schema)));
        StringAssert.Contains(e.Message, "'Label'");
        Assert.IsFalse(Directory.Exists(Path.Combine(Path.GetTempPath(), "ditml-never")), "nothing written");
    }

    /// <summary>ML.NET keeps SchemaShape.Create internal; its estimators call it the same way.</summary>
    private static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public, [typeof(DataViewSchema)])!.Invoke(null, [schema])!;

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
