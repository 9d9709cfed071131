using DitML.Data;
using DitML.DiffiT;
using DitML.Checkpoints;
using DitML.Models;
using DitML.Training;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Training;

/// <summary>EDM training of a tiny image DiffiT: it learns, writes what it says, and resumes exactly.</summary>
[TestClass]
public sealed class EdmTrainerTests
{
    internal static readonly ImageDiffiTConfig Tiny = new()
    {
        ImageSize = 8, InChannels = 1, StageChannels = [8, 16], BlocksPerStage = [1, 1], WindowSize = 4, HeadDim = 4,
        GroupNormGroups = 4, TimeEmbedDim = 16, NumClasses = 2,
    };

    /// <summary>Sixteen 1×8×8 images of two classes: class 0 bright on the left half, class 1 on the right.</summary>
    internal static InMemoryImageDataset Halves()
    {
        var pixels = new float[16 * 64];
        var labels = new int[16];
        for (int n = 0; n < 16; n++)
        {
            labels[n] = n % 2;
            for (int i = 0; i < 64; i++) pixels[n * 64 + i] = (i % 8 < 4) == (labels[n] == 0) ? 0.8f : -0.8f;
        }
        return new InMemoryImageDataset(pixels, labels, 1, 8, 8, 2);
    }

    private static TrainerOptions Options(long steps) => new()
    {
        Steps = steps, BatchSize = 8, LogEvery = 1, CheckpointEvery = 1000, EmaDecay = 0.9, Seed = 7, HorizontalFlip = false,
        Optimizer = new AdamWOptions { LearningRate = 2e-3 },
    };

    private static double[] Losses(string run) => File.ReadAllLines(Path.Combine(run, TrainingLog.FileName))
        .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToArray();

    [TestMethod]
    public void TheLossFallsAndTheEmaCheckpointHoldsTheEmaWeights()
    {
        string run = Path.Combine(Directory.CreateTempSubdirectory("ditml-edm-").FullName, "run");
        try
        {
            using var trainer = EdmTrainer.Create(Tiny, Halves(), Options(60), run);
            Assert.AreEqual(60, trainer.Run());
            var losses = Losses(run);
            Assert.HasCount(60, losses);
            double first = losses.Take(10).Average(), last = losses.TakeLast(10).Average();
            Assert.IsLessThan(0.7 * first, last, $"EDM loss {first:F3} → {last:F3}");

            var (loaded, edm) = ImageDiffiTCheckpoint.Load(Path.Combine(run, TrainingCheckpoint.EmaFileName));
            using (loaded)
            {
                Assert.AreEqual(Tiny, loaded.Config);
                Assert.AreEqual(trainer.Edm, edm);
                var expected = ModelStateDict.Export(trainer.Ema);
                foreach (var (k, v) in ModelStateDict.Export(loaded)) CollectionAssert.AreEqual(expected[k].ToFloat32(), v.ToFloat32(), k);
            }
            Assert.IsTrue(EdmTrainer.IsEdmRun(run));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(run)!, recursive: true);
        }
    }

    [TestMethod]
    public void AResumedRunLogsTheLossesOfARunStraightThrough()
    {
        string root = Directory.CreateTempSubdirectory("ditml-edm-").FullName;
        try
        {
            string straight = Path.Combine(root, "straight"), split = Path.Combine(root, "split");
            using (var t = EdmTrainer.Create(Tiny, Halves(), Options(6), straight)) t.Run();
            using (var t = EdmTrainer.Create(Tiny, Halves(), Options(6) with { Steps = 3 }, split)) t.Run();
            using (var t = EdmTrainer.Resume(split, Halves(), 6))
            {
                Assert.AreEqual(3, t.Step);
                t.Run();
            }
            var a = Losses(straight);
            var b = Losses(split);
            Assert.HasCount(6, b);
            for (int i = 0; i < 6; i++) Assert.AreEqual(a[i], b[i], 1e-6 * Math.Abs(a[i]), $"step {i + 1}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The two-class images, whose reads fail from the <paramref name="failFrom"/>-th image read on.</summary>
    private sealed class FailingReads(int failFrom) : IImageDataset
    {
        private readonly InMemoryImageDataset inner = Halves();
        private int reads;

        public int Count => inner.Count;
        public int ClassCount => inner.ClassCount;
        public IReadOnlyList<string> ClassNames => inner.ClassNames;
        public int Channels => inner.Channels;
        public int Height => inner.Height;
        public int Width => inner.Width;

        public int GetLabel(int index) => inner.GetLabel(index);

        public void CopyImage(int index, Span<float> pixels)
        {
            if (++reads > failFrom) throw new InvalidDataException($"image {index} is unreadable");
            inner.CopyImage(index, pixels);
        }

        public (float[] Pixels, int Label) GetItem(int index)
        {
            var pixels = new float[64];
            CopyImage(index, pixels);
            return (pixels, GetLabel(index));
        }
    }

    [TestMethod]
    public void AFailingStepKeepsTheCompletedStepsInACheckpoint()
    {
        string run = Path.Combine(Directory.CreateTempSubdirectory("ditml-edm-").FullName, "run");
        try
        {
            using (var trainer = EdmTrainer.Create(Tiny, new FailingReads(2 * 8 + 3), Options(5), run))   // step 3's batch fails
            {
                var e = Assert.ThrowsExactly<TrainingFailedException>(() => trainer.Run());
                StringAssert.Contains(e.Message, "step 3");
                Assert.IsInstanceOfType<InvalidDataException>(e.InnerException);
                Assert.AreEqual(2, trainer.Step);
            }
            using var resumed = EdmTrainer.Resume(Path.Combine(run), Halves());
            Assert.AreEqual(2, resumed.Step, "the checkpoint holds the two completed steps");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(run)!, recursive: true);
        }
    }

    [TestMethod]
    public void DataOfAnotherShapeIsRefusedBeforeTheFolderIsMade()
    {
        string run = Path.Combine(Path.GetTempPath(), "ditml-edm-refused-" + Guid.NewGuid().ToString("N"));
        var e = Assert.ThrowsExactly<ArgumentException>(() => EdmTrainer.Create(Tiny with { ImageSize = 16 }, Halves(), Options(1), run));
        StringAssert.Contains(e.Message, "1×8×8");
        Assert.IsFalse(Directory.Exists(run));
    }
}
