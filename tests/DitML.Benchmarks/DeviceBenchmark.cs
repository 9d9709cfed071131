using System.Diagnostics;
using DitML.Dit;
using DitML.Models;
using DitML.Onnx;
using DitML.Sampling;
using static TorchSharp.torch;

namespace DitML.Benchmarks;

/// <summary>
/// CPU vs CUDA on ONNX Runtime, in one run (scripts/gpu-check.sh runs it on a GPU machine, built with
/// <c>-p:DitMLDevice=cuda</c>): for each model, a random DiT (latent 32, DiT's init scale) exported once, sampled on
/// both devices with the same seeds; prints images/s on each, their ratio, and the largest difference between the two
/// devices' samples. With <c>--shipped DIR</c>, first the check of the shipped pixel model as the QuickStart samples it
/// (DiffusionGenerator, DPM-Solver++ 20 steps, its default guidance): the largest pixel difference between the devices
/// must be ≤ 1e-3 (exit code 4 otherwise). Exit code 3 where CUDA cannot be used (the reason is printed).
/// </summary>
internal static class DeviceBenchmark
{
    public static int Run(string[] args)
    {
        string[] names = BenchmarkArgs.Get(args, "--models", "DiT-S/4,DiT-XL/2").Split(',');
        int batch = BenchmarkArgs.GetInt(args, "--batch", 16);
        int steps = BenchmarkArgs.GetInt(args, "--steps", 10);
        var gpu = OnnxDevice.Parse(BenchmarkArgs.Get(args, "--device", "cuda"));
        if (gpu.Kind == OnnxDeviceKind.Cuda && CudaProvider.UnavailableReason is { } reason)
        {
            Console.WriteLine($"CUDA unavailable: {reason}");
            return 3;
        }
        if (BenchmarkArgs.Get(args, "--shipped", "") is { Length: > 0 } shipped && !Shipped(Path.Combine(shipped, "model.onnx"), gpu)) return 4;
        Console.WriteLine($"DPM-Solver++ {steps} steps, guidance 4, {batch} images per run, best of 2, CPU: ONNX Runtime threads default");
        Console.WriteLine($"{"model",-10} {"Gflops",7} {"cpu img/s",10} {"gpu img/s",10} {"gpu/cpu",8} {"max |Δ|",9}");
        string dir = Directory.CreateTempSubdirectory("ditml-bench-device-").FullName;
        try
        {
            foreach (string name in names)
            {
                var config = DiTConfig.FromName(name);
                string path = Path.Combine(dir, "model.onnx");
                manual_seed(0);
                using (var model = new DiT(config))
                {
                    using (no_grad()) foreach (var (n, p) in model.named_parameters()) if (n != "pos_embed") p.normal_(0, 0.02);
                    using var exported = DiTOnnxExporter.Export(model);
                    exported.Save(path);
                }
                using var onCpu = new OnnxDenoiser(path);
                using var onGpu = new OnnxDenoiser(path, new OnnxDenoiserOptions { Device = gpu });
                var sampler = DiffusionSampler.Create(new SamplerOptions { Sampler = SamplerKind.DpmSolverPlusPlus, Steps = steps, GuidanceScale = 4, BatchSize = batch });
                var labels = Enumerable.Range(0, batch).Select(i => (long)(i * 37 % config.NumClasses)).ToArray();
                var seeds = Enumerable.Range(0, batch).Select(i => (long)i).ToArray();
                float[] last = [];
                double Rate(IDenoiser d)
                {
                    var watch = Stopwatch.StartNew();
                    last = sampler.Sample(d, labels, seeds);
                    return batch / watch.Elapsed.TotalSeconds;
                }
                Rate(onCpu);
                var cpuSamples = last;
                Rate(onGpu);                                                     // warm-up (session optimization, device memory)
                var gpuSamples = last;
                double cpuRate = 0, gpuRate = 0;
                for (int round = 0; round < 2; round++)
                {
                    cpuRate = Math.Max(cpuRate, Rate(onCpu));
                    gpuRate = Math.Max(gpuRate, Rate(onGpu));
                }
                double maxDiff = cpuSamples.Zip(gpuSamples, (a, b) => (double)Math.Abs(a - b)).Max();
                Console.WriteLine($"{name,-10} {DiTComplexity.Gflops(config),7:F2} {cpuRate,10:F2} {gpuRate,10:F2} {gpuRate / cpuRate,7:F1}× {maxDiff,9:E1}");
                File.Delete(path);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    /// <summary>The shipped model's pixels on both devices, 10 per class: true when they agree within 1e-3.</summary>
    private static bool Shipped(string model, OnnxDevice gpu)
    {
        using var onCpu = DitML.Generation.DiffusionGenerator.Open(model);
        using var onGpu = DitML.Generation.DiffusionGenerator.Open(model, new DitML.Generation.DiffusionGeneratorOptions { Device = gpu });
        var labels = Enumerable.Range(0, 100).Select(i => (long)(i % 10)).ToArray();
        var seeds = Enumerable.Range(0, 100).Select(i => (long)i).ToArray();
        var a = new float[100 * onCpu.Channels * onCpu.Height * onCpu.Width];
        var b = new float[a.Length];
        var watch = Stopwatch.StartNew();
        onCpu.Generate(labels, seeds, a);
        double cpuSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        onGpu.Generate(labels, seeds, b);
        double gpuSeconds = watch.Elapsed.TotalSeconds;
        double maxDiff = a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();
        bool ok = maxDiff <= 1e-3;
        Console.WriteLine($"shipped model ({model}): 100 images on cpu in {cpuSeconds:F1} s, on {onGpu.Device} in {gpuSeconds:F1} s (first run, with warm-up); " +
                          $"max |Δpixel| {maxDiff:E2} {(ok ? "≤" : ">")} 1e-3: {(ok ? "ok" : "FAILED")}");
        return ok;
    }
}
