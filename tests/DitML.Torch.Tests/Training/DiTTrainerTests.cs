using System.Text.Json;
using DitML.Checkpoints;
using DitML.Data;
using DitML.Models;
using DitML.Training;
using DitML.Dit;

namespace DitML.Torch.Tests.Training;

[TestClass]
public sealed class DiTTrainerTests
{
    /// <summary>Eight C×8×8 images (C = 1 by default) of 4 classes: class k is a bright band at row 2k (also the bf16 training tests' data).</summary>
    internal sealed class Bands(int channels = 1) : IImageDataset
    {
        public int Count => 8;
        public int ClassCount => 4;
        public int Channels => channels;
        public int Height => 8;
        public int Width => 8;

        public IReadOnlyList<string> ClassNames => ["0", "1", "2", "3"];

        public int GetLabel(int index) => index % 4;

        public void CopyImage(int index, Span<float> pixels)
        {
            for (int i = 0; i < 64 * channels; i++) pixels[i] = i % 64 / 8 / 2 == GetLabel(index) ? 1f : -1f;
        }

        public (float[] Pixels, int Label) GetItem(int index)
        {
            var pixels = new float[64 * channels];
            CopyImage(index, pixels);
            return (pixels, GetLabel(index));
        }
    }

    private static readonly DiTConfig Config = new() { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 4 };

    /// <summary>A small, fast run's settings (also used by the latent DiffiT training tests).</summary>
    internal static TrainerOptions Options(long steps) => new()
    {
        Steps = steps, BatchSize = 4, LogEvery = 1, CheckpointEvery = 1000, EmaDecay = 0.9, Seed = 3,
        Optimizer = new AdamWOptions { LearningRate = 1e-3 },
    };

    /// <summary>The losses a run logged, in step order.</summary>
    internal static List<double> Losses(string run) =>
        File.ReadAllLines(Path.Combine(run, "log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();

    [TestMethod]
    public void StoppedAndResumedRunLogsTheSameLossesAsAStraightRun()
    {
        string root = Directory.CreateTempSubdirectory("ditml-train-").FullName;
        try
        {
            string straight = Path.Combine(root, "straight"), split = Path.Combine(root, "split");
            using (var t = DiTTrainer.Create(Config, new Bands(), Options(6), straight)) t.Run();
            using (var t = DiTTrainer.Create(Config, new Bands(), Options(3), split)) t.Run();
            using (var t = DiTTrainer.Resume(split, new Bands(), steps: 6))
            {
                Assert.AreEqual(3, t.Step);
                Assert.AreEqual(6, t.Run());
            }
            CollectionAssert.AreEqual(Losses(straight), Losses(split));
            Assert.HasCount(6, Losses(split));
            var a = CheckpointFile.Read(Path.Combine(straight, "ema.safetensors")).Tensors["final_layer.linear.weight"].Data;
            var b = CheckpointFile.Read(Path.Combine(split, "ema.safetensors")).Tensors["final_layer.linear.weight"].Data;
            CollectionAssert.AreEqual(a, b, "same EMA weights");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void CancellationWritesACheckpointBeforeStopping()
    {
        string run = Directory.CreateTempSubdirectory("ditml-train-").FullName;
        try
        {
            using var cts = new CancellationTokenSource();
            using var t = DiTTrainer.Create(Config, new Bands(), Options(100), run);
            long done = t.Run(new Progress<TrainingProgress>(p => { if (p.Step >= 2) cts.Cancel(); }), cts.Token);
            Assert.IsTrue(done is >= 2 and < 100);
            var (_, _, step, _) = TrainingCheckpoint.Read(Path.Combine(run, TrainingCheckpoint.FileName));
            Assert.AreEqual(done, step);
            using var back = DiTCheckpoint.Load(Path.Combine(run, TrainingCheckpoint.EmaFileName));
            Assert.AreEqual(Config, back.Config, "the EMA checkpoint carries its config");

            // The training checkpoint itself loads as a model too: the EMA weights by default, the raw model on request.
            string checkpoint = Path.Combine(run, TrainingCheckpoint.FileName);
            var ema = CheckpointFile.Read(Path.Combine(run, TrainingCheckpoint.EmaFileName)).Tensors;
            var fromTraining = CheckpointFile.Read(checkpoint);
            Assert.AreEqual("ema", fromTraining.SelectedEntry);
            CollectionAssert.AreEquivalent(ema.Keys.ToArray(), fromTraining.Tensors.Keys.ToArray());
            CollectionAssert.AreEqual(ema["final_layer.linear.weight"].Data, fromTraining.Tensors["final_layer.linear.weight"].Data);
            var raw = CheckpointFile.Read(checkpoint, CheckpointWeights.Model);
            Assert.AreEqual("model", raw.SelectedEntry);
            CollectionAssert.AreNotEqual(ema["final_layer.linear.weight"].Data, raw.Tensors["final_layer.linear.weight"].Data, "the raw weights differ from their average");
            using var model = DiTCheckpoint.Load(checkpoint, new DiTLoadOptions { Weights = CheckpointWeights.Model });
            Assert.AreEqual(Config, model.Config);
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [TestMethod]
    public void LossFalls()
    {
        string run = Directory.CreateTempSubdirectory("ditml-train-").FullName;
        try
        {
            using var t = DiTTrainer.Create(Config, new Bands(), Options(120) with { BatchSize = 8 }, run);
            t.Run();
            var losses = Losses(run);
            Assert.IsTrue(losses.TakeLast(20).Average() < 0.7 * losses.Take(20).Average(), $"{losses.Take(20).Average():F3} → {losses.TakeLast(20).Average():F3}");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [TestMethod]
    public void MismatchedDataIsRefused()
    {
        string run = Directory.CreateTempSubdirectory("ditml-train-").FullName;
        try
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => DiTTrainer.Create(Config with { InputSize = 16 }, new Bands(), Options(1), run));
            StringAssert.Contains(e.Message, "1×8×8");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }
}
