using System.Text.Json;
using DitML.Checkpoints;
using DitML.Data;
using DitML.Dit;
using DitML.Models;
using DitML.Training;

namespace DitML.Torch.Tests.Training;

/// <summary>Fine-tuning: a new run from another model's weights.</summary>
[TestClass]
public sealed class FineTuneTests
{
    /// <summary>Eight 1×8×8 images of 4 classes: class k is a bright band at row 2k.</summary>
    private static InMemoryImageDataset Bands()
    {
        var pixels = new float[8 * 64];
        var labels = new int[8];
        for (int n = 0; n < 8; n++)
        {
            labels[n] = n % 4;
            for (int i = 0; i < 64; i++) pixels[n * 64 + i] = i / 8 / 2 == labels[n] ? 1f : -1f;
        }
        return new InMemoryImageDataset(pixels, labels, 1, 8, 8, 4);
    }

    private static readonly DiTConfig Config = new() { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 4 };

    private static TrainerOptions Options(long steps) => new()
    {
        Steps = steps, BatchSize = 8, LogEvery = 1, CheckpointEvery = 1000, EmaDecay = 0.9, Seed = 3, HorizontalFlip = false,
        Optimizer = new AdamWOptions { LearningRate = 1e-3 },
    };

    private static double[] Losses(string run) =>
        File.ReadAllLines(Path.Combine(run, TrainingLog.FileName)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToArray();

    [TestMethod]
    public void AFineTunedModelsLossStartsAtTheLoadedModelsLevel()
    {
        string root = Directory.CreateTempSubdirectory("ditml-finetune-").FullName;
        try
        {
            string pretrained = Path.Combine(root, "pretrained"), tuned = Path.Combine(root, "tuned"), fresh = Path.Combine(root, "fresh");
            using (var t = DiTTrainer.Create(Config, Bands(), Options(80), pretrained)) t.Run();
            using (var t = DiTTrainer.Create(Config with { NumClasses = 6 }, Bands(), Options(10) with { Seed = 9 }, fresh)) t.Run();
            string init = Path.Combine(pretrained, TrainingCheckpoint.FileName);     // a training checkpoint: its EMA weights are taken
            using (var t = DiTTrainer.FineTune(init, Bands(), Options(10) with { Seed = 9 }, tuned, numClasses: 6))
            {
                Assert.AreEqual(0, t.Step, "a new run");
                Assert.AreEqual(init, t.InitializedFrom);
                Assert.AreEqual(6, t.Model.Config.NumClasses);
                var file = CheckpointFile.Read(init).Tensors;
                var blocks = ModelStateDict.Export(t.Model);
                CollectionAssert.AreEqual(file["blocks.1.attn.qkv.weight"].Data, blocks["blocks.1.attn.qkv.weight"].Data, "the rest is kept");
                CollectionAssert.AreEqual(new long[] { 7, 32 }, blocks["y_embedder.embedding_table.weight"].Shape.ToArray(), "a new table: 6 classes and the null class");
                t.Run();
            }
            double start = Losses(tuned).Take(5).Average(), fromScratch = Losses(fresh).Take(5).Average(), reached = Losses(pretrained).TakeLast(20).Average();
            Assert.IsLessThan(0.6 * fromScratch, start, $"fine-tuned {start:F3} vs from scratch {fromScratch:F3}");
            Assert.IsLessThan(2.0 * reached + 0.05, start, $"fine-tuned {start:F3} vs the loaded model's {reached:F3}");

            // The same class count keeps the table too; a file that is no DiT is refused naming it, leaving no folder.
            using (var t = DiTTrainer.FineTune(Path.Combine(pretrained, TrainingCheckpoint.EmaFileName), Bands(), Options(1), Path.Combine(root, "same")))
                CollectionAssert.AreEqual(CheckpointFile.Read(init).Tensors["y_embedder.embedding_table.weight"].Data,
                    ModelStateDict.Export(t.Model)["y_embedder.embedding_table.weight"].Data);
            var e = Assert.ThrowsExactly<FileNotFoundException>(() => DiTTrainer.FineTune(Path.Combine(root, "none.pt"), Bands(), Options(1), Path.Combine(root, "x")));
            StringAssert.Contains(e.Message, "none.pt");
            Assert.IsFalse(Directory.Exists(Path.Combine(root, "x")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
