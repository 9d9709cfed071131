using System.Diagnostics;
using DitML.Dit;
using DitML.Generation;
using DitML.ML;
using DitML.ML.Generation;
using DitML.Models;
using DitML.Sampling;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace DitML.Benchmarks;

/// <summary>
/// Images/s of 1, 2, 4, 8 concurrent requests on one fitted DiffusionGenerate transformer (a prediction engine per
/// request thread, as a server runs), measured in one run; ratios against one request.
/// </summary>
internal static class ConcurrencyBenchmark
{
    private sealed class Request
    {
        public int Label { get; set; }
        public long Seed { get; set; }
    }

    private sealed class Response
    {
        public float[] Pixels { get; set; } = [];
    }

    public static void Run(string[] args)
    {
        string name = BenchmarkArgs.Get(args, "--model", "DiT-S/4");
        int size = BenchmarkArgs.GetInt(args, "--size", 16);
        int steps = BenchmarkArgs.GetInt(args, "--steps", 10);
        int images = BenchmarkArgs.GetInt(args, "--images", 16);
        int threads = BenchmarkArgs.GetInt(args, "--threads", 1);
        var levels = BenchmarkArgs.Get(args, "--concurrency", "1,2,4,8").Split(',').Select(int.Parse).ToArray();
        manual_seed(0);
        var config = DiTConfig.FromName(name, inputSize: size, inChannels: 3, numClasses: 10);
        string path = Path.Combine(Path.GetTempPath(), $"ditml-concurrency-{Environment.ProcessId}.onnx");
        using (var model = new DiT(config))
        {
            using (no_grad()) foreach (var (n, p) in model.named_parameters()) if (n != "pos_embed") p.normal_(0, 0.02);
            DiTOnnxExporter.Export(model, new DiTOnnxExportOptions { Space = ModelSpace.Pixel }).Save(path);
        }
        try
        {
            var ml = new MLContext();
            var empty = ml.Data.LoadFromEnumerable(new[] { new Request() });
            using var transformer = ml.Transforms.DiffusionGenerate(path, new DiffusionGeneratorOptions
            {
                Sampler = new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = steps },
                Threads = threads,
            }).Fit(empty);

            double Rate(int concurrency)
            {
                int next = -1;
                using var start = new Barrier(concurrency + 1);
                var workers = Enumerable.Range(0, concurrency).Select(_ => new Thread(() =>
                {
                    using var engine = ml.Model.CreatePredictionEngine<Request, Response>(transformer, new PredictionEngineOptions { OwnsTransformer = false });
                    engine.Predict(new Request { Label = 0, Seed = -1 });                 // warm-up, outside the timing
                    start.SignalAndWait();
                    for (int i; (i = Interlocked.Increment(ref next)) < images;) engine.Predict(new Request { Label = i % 10, Seed = i });
                })).ToList();
                workers.ForEach(w => w.Start());
                start.SignalAndWait();
                var watch = Stopwatch.StartNew();
                workers.ForEach(w => w.Join());
                return images / watch.Elapsed.TotalSeconds;
            }

            var rates = levels.ToDictionary(c => c, Rate);
            Console.WriteLine($"{name} {size}×{size}×3, DDIM {steps} steps with guidance, {images} images per level, {threads} ONNX Runtime thread(s) per call, {Environment.ProcessorCount} cores");
            Console.WriteLine($"{"concurrent requests",-20} {"images/s",10} {"ratio",7}");
            foreach (var (c, rate) in rates) Console.WriteLine($"{c,-20} {rate,10:F2} {rate / rates[levels[0]],7:F2}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
