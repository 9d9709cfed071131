using System.Diagnostics;
using DitML.Models;
using DitML.Sampling;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Benchmarks;

/// <summary>Per sampler: network evaluations and wall time per image on one TorchSharp DiT, in one run.</summary>
internal static class SamplerBenchmark
{
    public static void Run(string[] args)
    {
        string name = BenchmarkArgs.Get(args, "--model", "DiT-S/8");
        int images = BenchmarkArgs.GetInt(args, "--images", 4);
        double guidance = double.Parse(BenchmarkArgs.Get(args, "--cfg", "4"), System.Globalization.CultureInfo.InvariantCulture);
        manual_seed(0);
        using var model = new DiT(DiTConfig.FromName(name));
        using (no_grad()) foreach (var p in model.parameters()) p.normal_(0, 0.02); // random non-zero weights: timing only
        var denoiser = new TorchDenoiser(model);
        var labels = Enumerable.Range(0, images).Select(i => (long)(i % 1000)).ToArray();
        var seeds = Enumerable.Range(0, images).Select(i => (long)i).ToArray();
        (SamplerKind Kind, int Steps)[] runs = [(SamplerKind.Ddpm, 250), (SamplerKind.Ddim, 50), (SamplerKind.DpmSolverPlusPlus, 20), (SamplerKind.Heun, 10)];

        Console.WriteLine($"{name}, {images} images, guidance {guidance} (one batched [cond; uncond] evaluation per step), threads {get_num_threads()}");
        Console.WriteLine($"{"sampler",-18} {"steps",5} {"NFE",5} {"s/image",9} {"vs DDPM-250",12}");
        double? baseline = null;
        foreach (var (kind, steps) in runs)
        {
            var sampler = DiffusionSampler.Create(new SamplerOptions { Sampler = kind, Steps = steps, GuidanceScale = guidance, BatchSize = images });
            var watch = Stopwatch.StartNew();
            sampler.Sample(denoiser, labels, seeds);
            double perImage = watch.Elapsed.TotalSeconds / images;
            baseline ??= perImage;
            Console.WriteLine($"{kind,-18} {steps,5} {sampler.NetworkEvaluations,5} {perImage,9:F3} {baseline / perImage,11:F1}×");
        }
    }
}
