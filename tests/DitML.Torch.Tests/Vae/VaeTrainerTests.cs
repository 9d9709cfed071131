using DitML.Data;
using DitML.Vae;
using DitML.Training;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Vae;

[TestClass]
public sealed class VaeTrainerTests
{
    /// <summary>Sixteen 3×8×8 images: smooth colour gradients, each with its own direction and tint.</summary>
    internal sealed class Gradients : IImageDataset
    {
        public int Count => 16;
        public int ClassCount => 1;
        public IReadOnlyList<string> ClassNames => ["all"];
        public int Channels => 3;
        public int Height => 8;
        public int Width => 8;

        public int GetLabel(int index) => 0;

        public void CopyImage(int index, Span<float> pixels)
        {
            double angle = index * Math.PI / 8;
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 8; y++)
                    for (int x = 0; x < 8; x++)
                        pixels[(c * 8 + y) * 8 + x] = (float)Math.Clamp(
                            Math.Cos(angle) * (x - 3.5) / 4 + Math.Sin(angle) * (y - 3.5) / 4 + 0.3 * Math.Sin(index + 2 * c), -1, 1);
        }

        public (float[] Pixels, int Label) GetItem(int index)
        {
            var pixels = new float[3 * 64];
            CopyImage(index, pixels);
            return (pixels, 0);
        }
    }

    private static readonly VaeConfig Tiny = new() { BlockOutChannels = [16, 32], LayersPerBlock = 1, NormNumGroups = 8 };

    [TestMethod]
    public void LossFallsOnATinySet()
    {
        manual_seed(11);
        using var model = new AutoencoderKL(Tiny);
        using var trainer = new VaeTrainer(model, new Gradients(), new VaeTrainerOptions
        {
            BatchSize = 8, Seed = 1, KlWeight = 1e-3, Optimizer = new AdamWOptions { LearningRate = 2e-3 },
        });
        var log = trainer.Train(80);
        double first = log.Take(5).Average(t => t.Total), last = log.TakeLast(10).Average(t => t.Total);
        Assert.IsTrue(log.All(t => double.IsFinite(t.Total) && t.KullbackLeibler >= 0), "finite losses, KL ≥ 0");
        Assert.IsTrue(last < 0.5 * first, $"loss {first:F4} → {last:F4}");
        Assert.AreEqual(80, trainer.Step);
    }

    [TestMethod]
    public void StepsAreReproducible()
    {
        double[] Run()
        {
            manual_seed(4);
            using var model = new AutoencoderKL(Tiny);
            using var trainer = new VaeTrainer(model, new Gradients(), new VaeTrainerOptions { BatchSize = 4, Seed = 9 });
            return trainer.Train(3).Select(t => t.Total).ToArray();
        }
        CollectionAssert.AreEqual(Run(), Run());
    }

    [TestMethod]
    public void RunLogsWindowMeansAndStopsWhenCancelled()
    {
        manual_seed(4);
        using var model = new AutoencoderKL(Tiny);
        using var trainer = new VaeTrainer(model, new Gradients(), new VaeTrainerOptions { BatchSize = 4, Seed = 9 });
        string log = Path.Combine(Path.GetTempPath(), $"ditml-vae-log-{Guid.NewGuid():N}.jsonl");
        try
        {
            var reported = new List<VaeLossTerms>();
            using var cancel = new CancellationTokenSource();
            var progress = new Reports(t => { reported.Add(t); if (t.Step == 6) cancel.Cancel(); });
            Assert.AreEqual(5L, trainer.Run(5, log, logEvery: 2, progress));
            Assert.AreEqual(7L, trainer.Run(100, log, logEvery: 2, progress, cancel.Token), "the step under way finishes, then it stops");
            var lines = File.ReadAllLines(log).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
            CollectionAssert.AreEqual(new long[] { 2, 4, 5, 6, 7 }, lines.Select(l => l.GetProperty("step").GetInt64()).ToArray(), "every 2 steps, the last, and where it was stopped");
            Assert.AreEqual(reported.Skip(2).Take(2).Average(t => t.Total), lines[1].GetProperty("loss").GetDouble(), 1e-12, "steps 3 and 4");
            Assert.AreEqual(reported[4].KullbackLeibler, lines[2].GetProperty("kl").GetDouble(), 1e-12);
            Assert.HasCount(7, reported);
        }
        finally
        {
            File.Delete(log);
        }
    }

    private sealed class Reports(Action<VaeLossTerms> report) : IProgress<VaeLossTerms>
    {
        public void Report(VaeLossTerms value) => report(value);
    }

    [TestMethod]
    public void DataThatDoesNotFitIsRefused()
    {
        using var model = new AutoencoderKL(Tiny with { InChannels = 1, OutChannels = 1 });
        var error = Assert.ThrowsExactly<ArgumentException>(() => new VaeTrainer(model, new Gradients()));
        StringAssert.Contains(error.Message, "3 channels");
    }
}
