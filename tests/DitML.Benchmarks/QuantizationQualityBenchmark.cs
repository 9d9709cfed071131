using System.Diagnostics;
using DitML.Dit;
using DitML.Generation;
using DitML.Metrics;
using DitML.Onnx;
using DitML.Sampling;

namespace DitML.Benchmarks;

/// <summary>
/// The quality cost of int8 on the shipped Fashion-MNIST model, in one run: its EMA weights exported fp32 and int8,
/// the same labels and seeds sampled from each (DPM-Solver++(2M), 20 steps, guidance 3, as the model card), scored
/// with the project's classifier (class accuracy, FID against the test set's statistics), with each one's sampling time.
/// </summary>
internal static class QuantizationQualityBenchmark
{
    public static void Run(string[] args)
    {
        string reference = BenchmarkArgs.Get(args, "--reference", Path.Combine("examples", "models", "fashion-mnist"));
        int perClass = BenchmarkArgs.GetInt(args, "--per-class", 30);
        double guidance = double.Parse(BenchmarkArgs.Get(args, "--cfg", "3"), System.Globalization.CultureInfo.InvariantCulture);
        string dir = Directory.CreateTempSubdirectory("ditml-int8-quality-").FullName;
        try
        {
            var paths = new Dictionary<OnnxPrecision, string>();
            using (var ema = DiTCheckpoint.Load(Path.Combine(reference, "ema.safetensors")))
            {
                foreach (var precision in new[] { OnnxPrecision.Float32, OnnxPrecision.Int8 })
                {
                    paths[precision] = Path.Combine(dir, precision.ToText() + ".onnx");
                    using var onnx = DiTOnnxExporter.Export(ema, new DiTOnnxExportOptions { Precision = precision, GuidanceScale = guidance });
                    onnx.Save(paths[precision]);
                }
            }
            using var classifier = new OnnxImageClassifier(Path.Combine(reference, "classifier.onnx"));
            var (mu, sigma) = StatisticsFile.Load(Path.Combine(reference, "test-stats.npz"));
            var labels = Enumerable.Range(0, 10 * perClass).Select(i => (long)(i / perClass)).ToArray();
            var seeds = Enumerable.Range(0, labels.Length).Select(i => (long)i).ToArray();
            var evaluator = new GenerationEvaluator();

            Console.WriteLine($"shipped model ({reference}), DPM-Solver++(2M) 20 steps, guidance {guidance}, {labels.Length} samples (seeds 0…{labels.Length - 1}), classifier features");
            Console.WriteLine($"{"model",-6} {"MB",7} {"class acc.",10} {"FID",8} {"s",6} {"speed-up",9}");
            float[]? fp32Pixels = null;
            double? fp32Seconds = null;
            foreach (var (precision, path) in paths)
            {
                using var generator = DiffusionGenerator.Open(path, new DiffusionGeneratorOptions
                {
                    Sampler = new SamplerOptions { Sampler = SamplerKind.DpmSolverPlusPlus, Steps = 20, GuidanceScale = guidance },
                });
                var pixels = new float[labels.Length * generator.Channels * generator.Height * generator.Width];
                generator.Generate(labels.AsSpan(0, 10), seeds.AsSpan(0, 10), pixels.AsSpan(0, 10 * generator.Channels * generator.Height * generator.Width)); // warm-up
                var watch = Stopwatch.StartNew();
                generator.Generate(labels, seeds, pixels);
                double seconds = watch.Elapsed.TotalSeconds;
                var (features, probabilities) = classifier.Run(pixels);
                var metrics = evaluator.Evaluate(new ImageFeatures(features, classifier.FeatureSize, probabilities, classifier.Classes, labels), mu, sigma);
                fp32Seconds ??= seconds;
                Console.WriteLine($"{precision.ToText(),-6} {new FileInfo(path).Length / 1e6,7:F1} {metrics.ClassAccuracy,10:P1} {metrics.Fid,8:F2} {seconds,6:F1} {fp32Seconds.Value / seconds,8:F2}×");
                if (fp32Pixels is null) fp32Pixels = pixels;
                else Console.WriteLine($"mean |fp32 − int8| per pixel (range [−1, 1]): {fp32Pixels.Zip(pixels, (a, b) => Math.Abs(a - b)).Average():F4}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
