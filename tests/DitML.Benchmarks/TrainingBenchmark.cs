using System.Diagnostics;
using DitML.Data;
using DitML.Models;
using DitML.Precision;
using DitML.Training;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Benchmarks;

/// <summary>
/// The machine's fp32 and bf16 matmul peaks and the trainer's achieved GFLOP/s in both compute precisions on one model,
/// measured in the same run (the machine is noisy: the ratios are what counts). Training FLOPs per image = 3 × 2 × the
/// forward's multiply-accumulates (forward, and a backward of twice the forward), the usual estimate. The model is a
/// paper config (<c>--model DiT-S/4</c>: 32×32×4 latents, 1000 classes) or, with <c>--depth</c>, a free one on
/// <c>--size</c>² × <c>--channels</c> images (the shipped Fashion-MNIST model: depth 6, width 192, 3 heads, patch 4, 28×28×1, 10 classes).
/// </summary>
internal static class TrainingBenchmark
{
    public static void Run(string[] args)
    {
        int batch = BenchmarkArgs.GetInt(args, "--batch", 32);
        int steps = BenchmarkArgs.GetInt(args, "--steps", 4);
        if (Array.IndexOf(args, "--threads") >= 0) set_num_threads(BenchmarkArgs.GetInt(args, "--threads", 1));
        var config = Config(args);
        string name = config.Name ?? $"DiT depth {config.Depth}, width {config.HiddenSize}, patch {config.PatchSize}, {config.InputSize}×{config.InputSize}×{config.InChannels}";
        double trainGflopPerImage = 3 * 2 * DiTComplexity.Gflops(config);

        var (fp32Before, bf16Before) = (MatmulPeak(ScalarType.Float32), MatmulPeak(ScalarType.BFloat16));
        // Interleaved (fp32, bf16, fp32, bf16), each rate the best of its two rounds, so a drift of the machine's load
        // hits both precisions alike.
        double fp32Rate = 0, bf16Rate = 0;
        for (int round = 0; round < 2; round++)
        {
            fp32Rate = Math.Max(fp32Rate, TrainRate(config, batch, steps, ComputePrecision.Fp32));   // images/s
            bf16Rate = Math.Max(bf16Rate, TrainRate(config, batch, steps, ComputePrecision.Bf16));
        }
        var (fp32After, bf16After) = (MatmulPeak(ScalarType.Float32), MatmulPeak(ScalarType.BFloat16));
        double fp32Peak = Math.Max(fp32Before, fp32After), bf16Peak = Math.Max(bf16Before, bf16After);
        double fp32Achieved = fp32Rate * trainGflopPerImage, bf16Achieved = bf16Rate * trainGflopPerImage;
        Console.WriteLine($"{name}: {DiTComplexity.Gflops(config):F3} Gflops forward, {trainGflopPerImage:F3} GFLOP per trained image; batch {batch}, fastest of {steps} timed steps in 2 interleaved rounds, threads {get_num_threads()}");
        Console.WriteLine($"{"measure",-46} {"GFLOP/s",9} {"/ fp32 peak",11} {"/ bf16 peak",11}");
        void Row(string label, double rate) => Console.WriteLine($"{label,-46} {rate,9:F1} {rate / fp32Peak,11:F2} {rate / bf16Peak,11:F2}");
        Row("fp32 matmul peak (best n, before/after)", fp32Peak);
        Row("bf16 matmul peak (best n, before/after)", bf16Peak);
        Row("trainer fp32 (AdamW + EMA + hybrid loss)", fp32Achieved);
        Row("trainer bf16 (same, bf16 compute)", bf16Achieved);
        Console.WriteLine($"trainer fp32: {fp32Rate:F2} images/s, bf16: {bf16Rate:F2} images/s; bf16 / fp32 = {bf16Rate / fp32Rate:F2}× (goal ≥ 1.6×)");
        Console.WriteLine($"matmul fp32 before {fp32Before:F1}, after {fp32After:F1}; bf16 before {bf16Before:F1}, after {bf16After:F1}; bf16 / fp32 peak = {bf16Peak / fp32Peak:F2}×");
    }

    private static DiTConfig Config(string[] args)
    {
        if (Array.IndexOf(args, "--depth") < 0) return DiTConfig.FromName(BenchmarkArgs.Get(args, "--model", "DiT-S/4"));
        return new DiTConfig
        {
            Depth = BenchmarkArgs.GetInt(args, "--depth", 6),
            HiddenSize = BenchmarkArgs.GetInt(args, "--hidden-size", 192),
            NumHeads = BenchmarkArgs.GetInt(args, "--heads", 3),
            PatchSize = BenchmarkArgs.GetInt(args, "--patch", 4),
            InputSize = BenchmarkArgs.GetInt(args, "--size", 28),
            InChannels = BenchmarkArgs.GetInt(args, "--channels", 1),
            NumClasses = BenchmarkArgs.GetInt(args, "--classes", 10),
        }.Validate();
    }

    /// <summary>Best GFLOP/s of square matmuls of <paramref name="type"/> at a few sizes.</summary>
    private static double MatmulPeak(ScalarType type)
    {
        double best = 0;
        foreach (int n in new[] { 512, 1024, 2048 })
        {
            using var a = randn(n, n, dtype: type);
            using var b = randn(n, n, dtype: type);
            using (var warm = matmul(a, b)) { }
            int repeats = Math.Max(2, (int)(4e9 / (2.0 * n * n * n)));
            var watch = Stopwatch.StartNew();
            for (int r = 0; r < repeats; r++) using (var c = matmul(a, b)) { }
            best = Math.Max(best, 2.0 * n * n * n * repeats / watch.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    private static double TrainRate(DiTConfig config, int batch, int steps, ComputePrecision precision)
    {
        string run = Directory.CreateTempSubdirectory("ditml-bench-train-").FullName;
        try
        {
            var random = new Random(0);
            int plane = config.InChannels * config.InputSize * config.InputSize, count = 2 * batch;
            var pixels = Enumerable.Range(0, count * plane).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var labels = Enumerable.Range(0, count).Select(_ => random.Next(config.NumClasses)).ToArray();
            var data = new InMemoryImageDataset(pixels, labels, config.InChannels, config.InputSize, config.InputSize, config.NumClasses);
            var options = new TrainerOptions { Steps = steps + 1, BatchSize = batch, LogEvery = 1, CheckpointEvery = 1_000_000, HorizontalFlip = false, Precision = precision };
            using var trainer = DiTTrainer.Create(config, data, options, run);
            // Each step timed from the end of the one before (step 1 is the warm-up), before the final checkpoint is
            // written; the fastest step counts: on a shared machine a step only gets slower.
            var watch = new Stopwatch();
            double fastest = double.MaxValue;
            trainer.Run(new Timer(step =>
            {
                if (step > 1) fastest = Math.Min(fastest, watch.Elapsed.TotalSeconds);
                watch.Restart();
            }));
            return batch / fastest;
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
