using System.Diagnostics;
using DitML.Data;
using DitML.Models;
using DitML.Training;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Benchmarks;

/// <summary>
/// The machine's fp32 matmul peak and the trainer's achieved GFLOP/s on one model, measured in the same run (the
/// machine is noisy: the ratio is what counts). Training FLOPs per image = 3 × 2 × the forward's multiply-accumulates
/// (forward, and a backward of twice the forward), the usual estimate.
/// </summary>
internal static class TrainingBenchmark
{
    public static void Run(string[] args)
    {
        string name = BenchmarkArgs.Get(args, "--model", "DiT-S/4");
        int batch = BenchmarkArgs.GetInt(args, "--batch", 32);
        int steps = BenchmarkArgs.GetInt(args, "--steps", 4);
        var config = DiTConfig.FromName(name);                                  // 32×32×4 latents, 1000 classes, as in the paper
        double trainGflopPerImage = 3 * 2 * DiTComplexity.Gflops(config);

        double peakBefore = MatmulPeak();
        double trainRate = TrainRate(config, batch, steps);                    // images/s
        double peakAfter = MatmulPeak();
        double peak = Math.Max(peakBefore, peakAfter);
        double achieved = trainRate * trainGflopPerImage;
        Console.WriteLine($"{name}: {DiTComplexity.Gflops(config):F2} Gflops forward, {trainGflopPerImage:F2} GFLOP per trained image; batch {batch}, {steps} timed steps, threads {get_num_threads()}");
        Console.WriteLine($"{"measure",-42} {"GFLOP/s",9} {"ratio",7}");
        Console.WriteLine($"{"fp32 matmul peak (best n, before/after)",-42} {peak,9:F1} {1.0,7:F2}");
        Console.WriteLine($"{"trainer (AdamW + EMA + hybrid loss)",-42} {achieved,9:F1} {achieved / peak,7:F2}");
        Console.WriteLine($"trainer: {trainRate:F2} images/s, {batch / trainRate:F2} s/step; matmul before {peakBefore:F1}, after {peakAfter:F1}");
    }

    /// <summary>Best GFLOP/s of square fp32 matmuls at a few sizes.</summary>
    private static double MatmulPeak()
    {
        double best = 0;
        foreach (int n in new[] { 512, 1024, 2048 })
        {
            using var a = randn(n, n);
            using var b = randn(n, n);
            using (var warm = matmul(a, b)) { }
            int repeats = Math.Max(2, (int)(4e9 / (2.0 * n * n * n)));
            var watch = Stopwatch.StartNew();
            for (int r = 0; r < repeats; r++) using (var c = matmul(a, b)) { }
            best = Math.Max(best, 2.0 * n * n * n * repeats / watch.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    private static double TrainRate(DiTConfig config, int batch, int steps)
    {
        string run = Directory.CreateTempSubdirectory("ditml-bench-train-").FullName;
        try
        {
            var random = new Random(0);
            int plane = config.InChannels * config.InputSize * config.InputSize, count = 2 * batch;
            var pixels = Enumerable.Range(0, count * plane).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var labels = Enumerable.Range(0, count).Select(_ => random.Next(config.NumClasses)).ToArray();
            var data = new InMemoryImageDataset(pixels, labels, config.InChannels, config.InputSize, config.InputSize, config.NumClasses);
            var options = new TrainerOptions { Steps = steps + 1, BatchSize = batch, LogEvery = 1, CheckpointEvery = 1_000_000, HorizontalFlip = false };
            using var trainer = DiTTrainer.Create(config, data, options, run);
            // Timed from the end of step 1 (the warm-up) to the end of the last step, before the final checkpoint is written.
            var watch = new Stopwatch();
            trainer.Run(new Timer(step =>
            {
                if (step == 1) watch.Start();
                if (step == steps + 1) watch.Stop();
            }));
            return batch * steps / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    private sealed class Timer(Action<long> onStep) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onStep(value.Step);
    }
}
