using System.Diagnostics;
using DitML.Dit;
using DitML.Models;
using DitML.Onnx;

namespace DitML.Benchmarks;

/// <summary>
/// Peak memory of exporting one freshly initialized DiT to ONNX, against its weights' size, in one process: resident
/// memory once the model is built, then the process's high-water mark (Linux VmHWM) after the export is saved. Run one
/// model per process, since the high-water mark never falls. <c>--write-checkpoint FILE</c> instead writes a freshly
/// initialized checkpoint; <c>--load FILE</c> then measures what <c>ditml export-onnx --checkpoint FILE</c> does in a
/// process of its own: open the file (<see cref="DitML.Checkpoints.CheckpointFile.Open"/>), fill the model one tensor
/// at a time, export and save.
/// </summary>
internal static class ExportMemoryBenchmark
{
    public static void Run(string[] args)
    {
        string name = BenchmarkArgs.Get(args, "--model", "DiT-B/2");
        var precision = OnnxPrecisions.Parse(BenchmarkArgs.Get(args, "--precision", "fp32"));
        var config = DiTConfig.FromName(name);
        long weights = DiTComplexity.Parameters(config) * sizeof(float);
        if (BenchmarkArgs.Get(args, "--write-checkpoint", "") is { Length: > 0 } checkpoint)
        {
            // Only writes a freshly initialized checkpoint, to time `ditml export-onnx` on it in a process of its own.
            using var fresh = new DiT(config);
            DiTCheckpoint.Save(checkpoint, fresh);
            Console.WriteLine($"wrote {checkpoint}: {name}, {weights / 1e9:F2} GB of weights");
            return;
        }
        string load = BenchmarkArgs.Get(args, "--load", "");
        bool fromFile = load.Length > 0;
        string dir = Directory.CreateTempSubdirectory("ditml-bench-export-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.onnx");
            // From a file, "before" is the bare process and the timing includes the load; else both start with the model built.
            long before = fromFile ? Status("VmRSS") : 0, peak;
            var watch = Stopwatch.StartNew();
            using (var model = fromFile ? DiTCheckpoint.Load(load) : new DiT(config))
            {
                GC.Collect();
                if (fromFile)
                {
                    Console.WriteLine($"  loaded {load}: RSS {Status("VmRSS") / 1e9:F2} GB, peak so far {Status("VmHWM") / 1e9:F2} GB");
                }
                else
                {
                    before = Status("VmRSS");
                    watch.Restart();
                }
                using var onnx = DiTOnnxExporter.Export(model, new DiTOnnxExportOptions { Precision = precision });
                onnx.Save(path);
                peak = Status("VmHWM");
            }
            double seconds = watch.Elapsed.TotalSeconds;
            long written = new FileInfo(path).Length + (File.Exists(path + ".data") ? new FileInfo(path + ".data").Length : 0);
            Console.WriteLine($"{name} {precision.ToText()}: weights {weights / 1e9:F2} GB, written {written / 1e9:F2} GB{(File.Exists(path + ".data") ? " (.onnx + .onnx.data: over protobuf's 2 GB)" : " (one .onnx)")}, {(fromFile ? "load + export" : "export")} {seconds:F0} s");
            Console.WriteLine(fromFile
                ? $"  RSS before loading {before / 1e9:F2} GB, peak RSS of the process (load + export) {peak / 1e9:F2} GB"
                : $"  RSS with the model built {before / 1e9:F2} GB, peak RSS of the process {peak / 1e9:F2} GB");
            Console.WriteLine($"  peak / weights {peak / (double)weights:F2}, {(fromFile ? "load and export's" : "export's own")} addition (peak − before) / weights {(peak - before) / (double)weights:F2}");
            if (args.Contains("--verify"))
            {
                using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
                Console.WriteLine($"  ONNX Runtime loads it: inputs {string.Join(", ", session.InputMetadata.Keys)}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A memory line of /proc/self/status in bytes (it reports kB).</summary>
    private static long Status(string key)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
