using System.Diagnostics;
using DitML.Dit;
using DitML.Models;
using DitML.Onnx;
using DitML.Sampling;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace DitML.Benchmarks;

/// <summary>
/// int8 vs fp32 on ONNX Runtime, measured in one run: (1) sampling images/s of one random DiT exported both ways;
/// (2) the forms a DiT linear layer can take on ONNX Runtime's CPU provider, on a stack of MLP layers of the model's
/// width and token count: fp32 MatMul, the standard int8 chain DitML writes (DynamicQuantizeLinear + MatMulInteger +
/// scale), ONNX Runtime's own DynamicQuantizeMatMul (com.microsoft), and fp16 / bf16 MatMul (Cast around it).
/// </summary>
internal static class QuantizationBenchmark
{
    public static void Run(string[] args)
    {
        string name = BenchmarkArgs.Get(args, "--model", "DiT-S/4");
        int batch = BenchmarkArgs.GetInt(args, "--batch", 16);
        int steps = BenchmarkArgs.GetInt(args, "--steps", 10);
        manual_seed(0);
        var config = DiTConfig.FromName(name);
        string dir = Directory.CreateTempSubdirectory("ditml-bench-int8-").FullName;
        try
        {
            string fp32 = Path.Combine(dir, "fp32.onnx"), int8 = Path.Combine(dir, "int8.onnx");
            using (var model = new DiT(config))
            {
                // DiT's own initialization scale (std 0.02), as trained weights have: the range int8 is meant for.
                using (no_grad()) foreach (var (n, p) in model.named_parameters()) if (n != "pos_embed") p.normal_(0, 0.02);
                using (var m = DiTOnnxExporter.Export(model)) m.Save(fp32);
                using (var m = DiTOnnxExporter.Export(model, new DiTOnnxExportOptions { Precision = OnnxPrecision.Int8 })) m.Save(int8);
            }
            Sampling(name, config, batch, steps, fp32, int8);
            Kernels(config, batch);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Sampling(string name, DiTConfig config, int batch, int steps, string fp32, string int8)
    {
        using var a = new OnnxDenoiser(fp32);
        using var b = new OnnxDenoiser(int8);
        var sampler = DiffusionSampler.Create(new SamplerOptions { Sampler = SamplerKind.DpmSolverPlusPlus, Steps = steps, GuidanceScale = 4, BatchSize = batch });
        var labels = Enumerable.Range(0, batch).Select(i => (long)(i % config.NumClasses)).ToArray();
        var seeds = Enumerable.Range(0, batch).Select(i => (long)i).ToArray();
        double Rate(IDenoiser d)
        {
            var watch = Stopwatch.StartNew();
            sampler.Sample(d, labels, seeds);
            return batch / watch.Elapsed.TotalSeconds;
        }
        Rate(a);
        Rate(b);                                                                 // warm-up (session optimization, buffers)
        double fpRate = 0, qRate = 0;
        for (int round = 0; round < 2; round++)                                  // interleaved: both see the machine's noise
        {
            fpRate = Math.Max(fpRate, Rate(a));
            qRate = Math.Max(qRate, Rate(b));
        }
        Console.WriteLine($"{name} ({DiTComplexity.Gflops(config):F2} Gflops/image), DPM-Solver++ {steps} steps, guidance 4, {batch} images, best of 2, ORT threads default");
        Console.WriteLine($"  file sizes: fp32 {new FileInfo(fp32).Length / 1e6:F1} MB, int8 {new FileInfo(int8).Length / 1e6:F1} MB");
        Console.WriteLine($"{"model",-10} {"images/s",10} {"ratio",7}");
        Console.WriteLine($"{"fp32",-10} {fpRate,10:F2} {1.0,7:F2}");
        Console.WriteLine($"{"int8",-10} {qRate,10:F2} {qRate / fpRate,7:F2}");
    }

    /// <summary>A stack of the model's MLPs (D → 4D → D, no activation) over (2·batch·T, D) tokens in each form.</summary>
    private static void Kernels(DiTConfig config, int batch)
    {
        int d = config.HiddenSize, hidden = config.MlpHiddenSize, rows = 2 * batch * config.NumPatches, layers = 4;
        var rng = new Random(1);
        var weights = Enumerable.Range(0, 2 * layers).Select(i => Enumerable.Range(0, d * hidden).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.1f).ToArray()).ToArray();
        var x = Enumerable.Range(0, rows * d).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        double flops = 2.0 * rows * d * hidden * 2 * layers;
        Console.WriteLine($"linear-layer forms: {layers} MLPs of {d}→{hidden}→{d} over {rows} tokens ({flops / 1e9:F1} GFLOP per forward)");
        Console.WriteLine($"{"form",-44} {"ms",8} {"GFLOP/s",8} {"vs fp32",8}");
        var forms = new (string Name, Func<OnnxGraphBuilder, string, float[], int, int, string> Linear)[]
        {
            ("fp32 MatMul", (g, h, w, i, o) => g.Linear(h, "fc", w, i, o, [])),
            ("int8 DynamicQuantizeLinear+MatMulInteger", (g, h, w, i, o) => g.LinearInt8(h, "fc", w, i, o, [])),
            ("int8 com.microsoft.DynamicQuantizeMatMul", DynamicQuantizeMatMul),
            ("fp16 MatMul (Cast in and out)", (g, h, w, i, o) => HalfMatMul(g, h, w, i, o, OnnxElementType.Float16)),
            ("bf16 MatMul (Cast in and out)", (g, h, w, i, o) => HalfMatMul(g, h, w, i, o, OnnxElementType.BFloat16)),
        };
        var sessions = new List<(string Name, InferenceSession Session)>();
        var input = new[] { NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [rows, d])) };
        foreach (var (formName, linear) in forms)
        {
            var g = new OnnxGraphBuilder("mlp");
            var h = g.Input("x", OnnxElementType.Float, "N", d);
            for (int l = 0; l < layers; l++) h = linear(g, linear(g, h, weights[2 * l], d, hidden), weights[2 * l + 1], hidden, d);
            g.Output("out", h, OnnxElementType.Float, "N", d);
            using var model = g.Build();
            try
            {
                using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
                var session = new InferenceSession(model.ToBytes(), options);
                session.Run(input).Dispose();                                      // warm-up
                sessions.Add((formName, session));
            }
            catch (OnnxRuntimeException e)
            {
                Console.WriteLine($"{formName,-44} not run: {e.Message.Split('\n')[0]}");
            }
        }
        // Round-robin, best of 5: every form sees the same machine noise.
        var best = sessions.Select(_ => double.MaxValue).ToArray();
        for (int r = 0; r < 5; r++)
        {
            for (int i = 0; i < sessions.Count; i++)
            {
                var watch = Stopwatch.StartNew();
                sessions[i].Session.Run(input).Dispose();
                best[i] = Math.Min(best[i], watch.Elapsed.TotalMilliseconds);
            }
        }
        for (int i = 0; i < sessions.Count; i++)
        {
            Console.WriteLine($"{sessions[i].Name,-44} {best[i],8:F1} {flops / best[i] / 1e6,8:F1} {best[0] / best[i],7:F2}×");
            sessions[i].Session.Dispose();
        }
    }

    private static string DynamicQuantizeMatMul(OnnxGraphBuilder g, string x, float[] w, int inF, int outF)
    {
        var (q, scales) = Int8Quantization.PerOutputChannel(w, inF, outF);
        return g.Node("DynamicQuantizeMatMul", [x, g.Initializer("fc.weight_int8", q, inF, outF), g.Initializer("fc.weight_scale", scales, outF)], domain: "com.microsoft");
    }

    private static string HalfMatMul(OnnxGraphBuilder g, string x, float[] w, int inF, int outF, OnnxElementType type)
    {
        var to = new Dictionary<string, object> { ["to"] = (long)type };
        var transposed = new float[w.Length];
        for (int o = 0; o < outF; o++) for (int i = 0; i < inF; i++) transposed[i * outF + o] = w[o * inF + i];
        // Cast of an initializer is folded at load: the session holds the weights in the half type.
        var weight = g.Node("Cast", [g.Initializer("fc.weight", transposed, inF, outF)], to);
        var y = g.MatMul(g.Node("Cast", [x], to), weight);
        return g.Node("Cast", [y], new Dictionary<string, object> { ["to"] = (long)OnnxElementType.Float });
    }
}
