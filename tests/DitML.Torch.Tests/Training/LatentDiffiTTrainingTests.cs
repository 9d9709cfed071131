using DitML.Checkpoints;
using DitML.Data;
using DitML.DiffiT;
using DitML.Models;
using DitML.Training;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Training;

/// <summary>The trainer on latent DiffiT: the same recipe, exact resume, its own checkpoints, fine-tuning from the released layout.</summary>
[TestClass]
public sealed class LatentDiffiTTrainingTests
{
    private static readonly LatentDiffiTConfig Config = new() { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 4 };

    private static TrainerOptions Options(long steps) => DiTTrainerTests.Options(steps);

    private static List<double> Losses(string run) => DiTTrainerTests.Losses(run);

    [TestMethod]
    public void ARunResumesExactlyAndItsEmaIsALatentDiffiTCheckpoint()
    {
        string root = Directory.CreateTempSubdirectory("ditml-train-diffit-").FullName;
        try
        {
            string straight = Path.Combine(root, "straight"), split = Path.Combine(root, "split");
            using (var t = DiTTrainer.Create(Config, new DiTTrainerTests.Bands(), Options(4), straight))
            {
                Assert.IsInstanceOfType<LatentDiffiT>(t.Network);
                Assert.ThrowsExactly<InvalidOperationException>(() => t.Model, "Model is a DiT run's");
                t.Run();
            }
            using (var t = DiTTrainer.Create(Config, new DiTTrainerTests.Bands(), Options(2), split)) t.Run();
            using (var t = DiTTrainer.Resume(split, new DiTTrainerTests.Bands(), steps: 4))
            {
                Assert.AreEqual(2, t.Step);
                Assert.IsInstanceOfType<LatentDiffiT>(t.EmaNetwork);
                Assert.AreEqual(4, t.Run());
            }
            var losses = Losses(straight);
            Assert.HasCount(4, losses);
            CollectionAssert.AreEqual(losses, Losses(split));
            Assert.IsTrue(losses.All(double.IsFinite) && losses[0] > 0);

            string emaPath = Path.Combine(split, TrainingCheckpoint.EmaFileName);
            var a = CheckpointFile.Read(Path.Combine(straight, TrainingCheckpoint.EmaFileName)).Tensors;
            var b = CheckpointFile.Read(emaPath).Tensors;
            foreach (var (name, tensor) in a) CollectionAssert.AreEqual(tensor.Data, b[name].Data, name);
            Assert.AreEqual(TensorDType.Int64, b["blocks.1.attn.relative_position_index"].DType);
            using var ema = LatentDiffiTCheckpoint.Load(emaPath);
            Assert.AreEqual(Config, ema.Config);
            using var trained = LatentDiffiTCheckpoint.Load(Path.Combine(split, TrainingCheckpoint.FileName), weights: CheckpointWeights.Model);
            Assert.AreEqual(Config, trained.Config, "the training checkpoint loads as a model too");

            var refused = Assert.ThrowsExactly<ArgumentException>(() => DiTTrainer.Resume(split, new DiTTrainerTests.Bands(), new ResumeOptions { Steps = 6, Depth = 3 }));
            StringAssert.Contains(refused.Message, "depth");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void LossFalls()
    {
        string run = Directory.CreateTempSubdirectory("ditml-train-diffit-").FullName;
        try
        {
            using var t = DiTTrainer.Create(Config, new DiTTrainerTests.Bands(), Options(120) with { BatchSize = 8 }, run);
            t.Run();
            var losses = Losses(run);
            Assert.IsLessThan(0.7 * losses.Take(20).Average(), losses.TakeLast(20).Average(), $"{losses.Take(20).Average():F3} → {losses.TakeLast(20).Average():F3}");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [TestMethod]
    public void FineTuningFromTheReleasedLayoutKeepsEveryWeightButANewLabelTable()
    {
        // small.safetensors: PyTorch's latent DiffiT (4×8×8, 10 classes, no DitML metadata) fine-tuned on 4 classes.
        string file = Path.Combine(AppContext.BaseDirectory, "Fixtures", "diffit", "small.safetensors");
        string run = Path.Combine(Path.GetTempPath(), $"ditml-finetune-diffit-{Guid.NewGuid():N}");
        try
        {
            var original = CheckpointFile.Read(file).Tensors;
            using var t = DiTTrainer.FineTune(file, new DiTTrainerTests.Bands(channels: 4), Options(1), run, numClasses: 4);
            var net = (LatentDiffiT)t.Network;
            Assert.AreEqual(4, net.Config.NumClasses);
            var now = ModelStateDict.Export(net);
            foreach (var (name, tensor) in original.Where(kv => kv.Key != "y_embedder.embedding_table.weight"))
                CollectionAssert.AreEqual(tensor.ToFloat32(), now[name].ToFloat32(), name);
            CollectionAssert.AreEqual(new long[] { 5, 64 }, now["y_embedder.embedding_table.weight"].Shape, "4 classes and the null class");
            Assert.AreEqual(file, t.InitializedFrom);
            Assert.AreEqual(1, t.Run());
            using var ema = LatentDiffiTCheckpoint.Load(Path.Combine(run, TrainingCheckpoint.EmaFileName));
            Assert.AreEqual(net.Config, ema.Config);
        }
        finally
        {
            if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        }
    }
}
