using System.Diagnostics;
using DitML.Models;
using DitML.Onnx;
using DitML.Sampling;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Benchmarks;

/// <summary>Images/s of one model's forward on ONNX Runtime vs TorchSharp eager, same weights, same inputs, one run.</summary>
internal static class OnnxBenchmark
{
    public static void Run(string[] args)
    {
        string name = BenchmarkArgs.Get(args, "--model", "DiT-S/4");
        int batch = BenchmarkArgs.GetInt(args, "--batch", 16);
        int repeats = BenchmarkArgs.GetInt(args, "--repeats", 5);
        manual_seed(0);
        var config = DiTConfig.FromName(name);
        using var model = new DiT(config);
        using (no_grad()) foreach (var (n, p) in model.named_parameters()) if (n != "pos_embed") p.normal_(0, 0.02);
        string path = Path.Combine(Path.GetTempPath(), "ditml-bench.onnx");
        DiTOnnxExporter.Export(model).Save(path);
        using var onnx = new OnnxDenoiser(path);
        var torchDenoiser = new TorchDenoiser(model);

        int plane = config.InChannels * config.InputSize * config.InputSize;
        var x = new float[batch * plane];
        var noise = new RowNoise(1);
        noise.Fill(x);
        var t = Enumerable.Range(0, batch).Select(i => 10f + 60 * i).ToArray();
        var y = Enumerable.Range(0, batch).Select(i => (long)i).ToArray();
        var output = new float[batch * config.OutChannels * config.InputSize * config.InputSize];

        double Time(IDenoiser d)
        {
            d.Predict(x, t, y, output);                                       // warm-up
            var watch = Stopwatch.StartNew();
            for (int r = 0; r < repeats; r++) d.Predict(x, t, y, output);
            return batch * repeats / watch.Elapsed.TotalSeconds;
        }

        // Interleave to share the machine's noise between the two.
        double torchRate = 0, onnxRate = 0;
        for (int round = 0; round < 2; round++)
        {
            torchRate = Math.Max(torchRate, Time(torchDenoiser));
            onnxRate = Math.Max(onnxRate, Time(onnx));
        }
        Console.WriteLine($"{name} ({DiTComplexity.Gflops(config):F2} Gflops/image), batch {batch}, {repeats} forwards per timing, best of 2, threads {get_num_threads()}");
        Console.WriteLine($"{"engine",-22} {"images/s",10} {"ratio",7}");
        Console.WriteLine($"{"TorchSharp eager",-22} {torchRate,10:F1} {1.0,7:F2}");
        Console.WriteLine($"{"ONNX Runtime",-22} {onnxRate,10:F1} {onnxRate / torchRate,7:F2}");
        File.Delete(path);
    }
}
