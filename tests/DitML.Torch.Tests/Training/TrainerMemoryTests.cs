using System.Diagnostics;
using DitML.Data;
using DitML.Models;
using DitML.Training;
using TorchSharp;

namespace DitML.Torch.Tests.Training;

/// <summary>A long run must not leak TorchSharp tensors: live tensors and resident memory stay flat over 1,000 steps.</summary>
[TestClass]
public sealed class TrainerMemoryTests
{
    /// <summary>Growth of resident memory allowed between step 200 and step 1,000 (allocator noise, JIT, GC heap).</summary>
    private const long ResidentBoundBytes = 24L << 20;

    [TestMethod]
    public void LiveTensorsAndResidentMemoryStayFlatOver1000Steps()
    {
        string run = Directory.CreateTempSubdirectory("ditml-memory-").FullName;
        try
        {
            var random = new Random(1);
            var pixels = Enumerable.Range(0, 16 * 64).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var data = new InMemoryImageDataset(pixels, Enumerable.Range(0, 16).Select(i => i % 4).ToArray(), 1, 8, 8, 4);
            var config = new DiTConfig { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 1, NumHeads = 2, NumClasses = 4 };
            var options = new TrainerOptions { Steps = 1000, BatchSize = 8, LogEvery = 100, CheckpointEvery = 100_000, Seed = 2 };
            var samples = new Dictionary<long, (long Tensors, long Resident)>();
            using var trainer = DiTTrainer.Create(config, data, options, run);
            trainer.Run(new Sampler(step =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                using var process = Process.GetCurrentProcess();
                samples[step] = (DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount, process.WorkingSet64);
            }));

            Assert.AreEqual(1000, trainer.Step);
            var (tensorsEarly, residentEarly) = samples[200];
            var (tensorsLate, residentLate) = samples[1000];
            Assert.IsGreaterThan(0L, tensorsEarly, "the statistics count the run's tensors (parameters, moments, EMA)");
            Assert.AreEqual(tensorsEarly, tensorsLate, $"live tensors at steps 200..1000: {string.Join(", ", samples.OrderBy(s => s.Key).Select(s => s.Value.Tensors))}");
            Assert.IsLessThan(ResidentBoundBytes, residentLate - residentEarly,
                $"resident memory grew {(residentLate - residentEarly) / 1048576.0:F1} MB between steps 200 and 1000");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    private sealed class Sampler(Action<long> sample) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => sample(value.Step);
    }
}
