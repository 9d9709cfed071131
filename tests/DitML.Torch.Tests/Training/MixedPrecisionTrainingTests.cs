using System.Text.Json;
using DitML.Checkpoints;
using DitML.Models;
using DitML.Precision;
using DitML.Training;

namespace DitML.Torch.Tests.Training;

/// <summary>bf16 training: the loss tracks fp32's, resume is exact, and everything the run keeps is float32.</summary>
[TestClass]
public sealed class MixedPrecisionTrainingTests
{
    private static readonly DiTConfig Config = new() { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 4 };

    private static TrainerOptions Options(long steps, ComputePrecision precision) => new()
    {
        Steps = steps, BatchSize = 8, LogEvery = 1, CheckpointEvery = 1000, EmaDecay = 0.9, Seed = 5,
        Optimizer = new AdamWOptions { LearningRate = 1e-3 }, Precision = precision,
    };

    private static List<double> Losses(string run) =>
        File.ReadAllLines(Path.Combine(run, "log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();

    private static string NewRoot() => Directory.CreateTempSubdirectory("ditml-bf16-").FullName;

    [TestMethod]
    public void Bf16LossTracksFp32WithinNoiseOverAFewHundredSteps()
    {
        const int steps = 200, window = 40;
        string root = NewRoot();
        // A model this small gains nothing from a second thread, and on a busy machine a multi-threaded kernel waits for
        // its slowest thread: one thread keeps the 400 steps to seconds (tests run one at a time, see MSTestSettings).
        int threads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(1);
        try
        {
            string fp32 = Path.Combine(root, "fp32"), bf16 = Path.Combine(root, "bf16");
            using (var t = DiTTrainer.Create(Config, new DiTTrainerTests.Bands(), Options(steps, ComputePrecision.Fp32), fp32)) t.Run();
            using (var t = DiTTrainer.Create(Config, new DiTTrainerTests.Bands(), Options(steps, ComputePrecision.Bf16), bf16)) t.Run();
            var (a, b) = (Losses(fp32), Losses(bf16));
            Assert.HasCount(steps, b);
            Assert.IsTrue(b.All(double.IsFinite));
            CollectionAssert.AreNotEqual(a, b, "the bf16 run computes in bf16 (its losses are not fp32's)");
            // Both runs draw the same batches, timesteps and noise (all from (seed, step)), so the step-to-step spread of
            // the loss is noise that both share; the bf16 run is "within noise" when each window's mean loss is within
            // two standard errors of that spread of the fp32 window's mean.
            for (int start = 0; start < steps; start += window)
            {
                var fa = a.Skip(start).Take(window).ToArray();
                var fb = b.Skip(start).Take(window).ToArray();
                double mean = fa.Average(), sd = Math.Sqrt(fa.Sum(v => (v - mean) * (v - mean)) / (window - 1));
                double standardError = sd / Math.Sqrt(window);
                Assert.IsTrue(Math.Abs(fb.Average() - mean) < 2 * standardError,
                    $"steps {start}–{start + window}: bf16 mean {fb.Average():F4}, fp32 {mean:F4} ± {standardError:F4}");
            }
            double first = a.Take(window).Average(), last = a.TakeLast(window).Average();
            Assert.IsTrue(last < 0.7 * first, $"the runs learn ({first:F3} → {last:F3}), so tracking is not two flat lines");
        }
        finally
        {
            TorchSharp.torch.set_num_threads(threads);
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void Bf16RunStoppedAndResumedEqualsAStraightRunBitForBit()
    {
        string root = NewRoot();
        try
        {
            string straight = Path.Combine(root, "straight"), split = Path.Combine(root, "split");
            using (var t = DiTTrainer.Create(Config, new DiTTrainerTests.Bands(), Options(8, ComputePrecision.Bf16), straight)) t.Run();
            using (var t = DiTTrainer.Create(Config, new DiTTrainerTests.Bands(), Options(3, ComputePrecision.Bf16), split)) t.Run();
            using (var t = DiTTrainer.Resume(split, new DiTTrainerTests.Bands(), steps: 8))
            {
                Assert.AreEqual(ComputePrecision.Bf16, t.Options.Precision, "the stored precision");
                Assert.AreEqual(3, t.Step);
                Assert.AreEqual(8, t.Run());
            }
            CollectionAssert.AreEqual(Losses(straight), Losses(split));
            var whole = SafeTensorsFile.Read(Path.Combine(straight, TrainingCheckpoint.FileName)).Tensors;
            var resumed = SafeTensorsFile.Read(Path.Combine(split, TrainingCheckpoint.FileName)).Tensors;
            CollectionAssert.AreEquivalent(whole.Keys.ToArray(), resumed.Keys.ToArray());
            foreach (var (key, tensor) in whole)
                CollectionAssert.AreEqual(tensor.Data, resumed[key].Data, $"{key}: weights, EMA and moments equal bit for bit");
            Assert.IsNotEmpty(whole);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void Bf16CheckpointKeepsFloat32WeightsEmaAndMomentsAndStoresThePrecision()
    {
        string root = NewRoot();
        try
        {
            string run = Path.Combine(root, "run");
            using (var t = DiTTrainer.Create(Config, new DiTTrainerTests.Bands(), Options(2, ComputePrecision.Bf16), run)) t.Run();
            var (_, options, step, contents) = TrainingCheckpoint.Read(Path.Combine(run, TrainingCheckpoint.FileName));
            Assert.AreEqual((ComputePrecision.Bf16, 2L), (options.Precision, step));
            StringAssert.Contains(contents.Metadata[TrainingCheckpoint.TrainerMetadataKey], "\"Precision\":\"Bf16\"", "stored by name, readable in the file");
            foreach (var prefix in new[] { "model.", "ema.", "opt." })
                Assert.IsTrue(contents.Tensors.Any(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)), $"{prefix}* stored");
            foreach (var (key, tensor) in contents.Tensors)
                Assert.AreEqual(TensorDType.Float32, tensor.DType, $"{key} is float32");
            foreach (var (key, tensor) in SafeTensorsFile.Read(Path.Combine(run, TrainingCheckpoint.EmaFileName)).Tensors)
                Assert.AreEqual(TensorDType.Float32, tensor.DType, $"ema.safetensors: {key} is float32");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ResumeRefusesAnotherPrecisionUnlessOverridden()
    {
        string root = NewRoot();
        try
        {
            string run = Path.Combine(root, "run");
            using (var t = DiTTrainer.Create(Config, new DiTTrainerTests.Bands(), Options(1, ComputePrecision.Bf16), run)) t.Run();
            var e = Assert.ThrowsExactly<ArgumentException>(() => DiTTrainer.Resume(run, new DiTTrainerTests.Bands(), new ResumeOptions { Precision = ComputePrecision.Fp32 }));
            StringAssert.Contains(e.Message, "precision: stored bf16, asked fp32");
            using (var same = DiTTrainer.Resume(run, new DiTTrainerTests.Bands(), new ResumeOptions { Precision = ComputePrecision.Bf16 }))
                Assert.AreEqual(ComputePrecision.Bf16, same.Options.Precision, "asking for the stored precision is no change");
            using (var changed = DiTTrainer.Resume(run, new DiTTrainerTests.Bands(), new ResumeOptions { Precision = ComputePrecision.Fp32, Steps = 2, Overrides = new HashSet<string> { "precision" } }))
            {
                Assert.AreEqual(ComputePrecision.Fp32, changed.Options.Precision);
                Assert.AreEqual(2, changed.Run());
            }
            Assert.AreEqual(ComputePrecision.Fp32, TrainingCheckpoint.Read(Path.Combine(run, TrainingCheckpoint.FileName)).Options.Precision, "the new precision is stored");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void OptionsWithoutAPrecisionReadAsFp32AndUnknownOnesAreRefused()
    {
        var old = JsonSerializer.Deserialize<TrainerOptions>("""{"Steps":5,"BatchSize":4}""")!;
        Assert.AreEqual(ComputePrecision.Fp32, old.Precision, "checkpoints written before the setting existed trained in fp32");
        var e = Assert.ThrowsExactly<ArgumentException>(() => new TrainerOptions { Precision = (ComputePrecision)9 }.Validate());
        StringAssert.Contains(e.Message, "--precision");
        Assert.AreEqual(ComputePrecision.Bf16, ComputePrecisionNames.Parse("BF16"));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ComputePrecisionNames.Parse("fp16")).Message, "fp32, bf16");
    }
}
