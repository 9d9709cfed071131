using System.CommandLine;
using System.Globalization;
using DitML.Data;
using DitML.Generation;
using DitML.Imaging;
using DitML.Numpy;
using DitML.Sampling;

namespace DitML.Cli.Commands;

/// <summary>`ditml sample`: class-conditional images from an exported model as a PNG grid (and optionally an ADM-layout .npz).</summary>
internal static class SampleCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "An ONNX model written by `ditml export-onnx`.", Required = true };
        var classes = new Option<string>("--classes") { Description = "Comma-separated class ids, e.g. 0,1,2 (a grid row per class).", Required = true };
        var perClass = new Option<int>("--per-class") { Description = "Images per class.", DefaultValueFactory = _ => 8 };
        var seed = new Option<long>("--seed") { Description = "Global seed; the same seed gives the same images.", DefaultValueFactory = _ => 0 };
        var sampler = new Option<string>("--sampler") { Description = "ddpm, ddim, dpm++ or heun.", DefaultValueFactory = _ => "dpm++" };
        var steps = new Option<int>("--steps") { Description = "Sampler steps.", DefaultValueFactory = _ => 20 };
        var cfg = new Option<double?>("--cfg") { Description = "Classifier-free guidance scale (default: the model's recommendation); 1 disables it." };
        var eta = new Option<double>("--eta") { Description = "DDIM η.", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "Rows generated together.", DefaultValueFactory = _ => 16 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0: one per core).", DefaultValueFactory = _ => 0 };
        var outPath = new Option<FileInfo>("--out") { Description = "PNG grid to write.", Required = true };
        var scale = new Option<int>("--scale") { Description = "Enlarge each pixel of the grid (for small images).", DefaultValueFactory = _ => 1 };
        var vaeDecoder = new Option<FileInfo?>("--vae-decoder") { Description = "Latent models: the VAE decoder exported to ONNX (VaeOnnxExporter.ExportDecoder)." };
        var npz = new Option<FileInfo?>("--npz") { Description = "Also write the samples as uint8 NHWC under arr_0 (the ADM evaluator's layout)." };
        var command = new Command("sample", "Generate class-conditional images from an exported model with classifier-free guidance.");
        foreach (var o in new Option[] { model, classes, perClass, seed, sampler, steps, cfg, eta, batch, threads, vaeDecoder, outPath, scale, npz }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var classIds = ParseClasses(parse.GetValue(classes)!);
            int n = parse.GetValue(perClass);
            if (n <= 0) throw new ArgumentException($"--per-class must be positive, got {n}");
            string modelPath = parse.GetValue(model)!.FullName;
            var samplerOptions = new SamplerOptions
            {
                Sampler = SamplerOptions.ParseSampler(parse.GetValue(sampler)!),
                Steps = parse.GetValue(steps),
                Eta = parse.GetValue(eta),
                BatchSize = parse.GetValue(batch),
                GuidanceScale = parse.GetValue(cfg),
            };
            using var generator = DiffusionGenerator.Open(modelPath, new DiffusionGeneratorOptions
            {
                Sampler = samplerOptions,
                Threads = parse.GetValue(threads),
                VaeDecoderPath = parse.GetValue(vaeDecoder)?.FullName,
            });
            samplerOptions = generator.Sampler.Options;
            foreach (var c in classIds)
            {
                if (c < 0 || c >= generator.NumClasses)
                    throw new ArgumentException($"unknown class {c}: {modelPath} knows classes 0..{generator.NumClasses - 1}");
            }
            var labels = classIds.SelectMany(c => Enumerable.Repeat(c, n)).ToArray();
            var seeds = Enumerable.Range(0, labels.Length).Select(i => DerivedSeed.Of(parse.GetValue(seed), i)).ToArray();
            var pixels = new float[labels.Length * generator.Channels * generator.Height * generator.Width];
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using (var bar = new ProgressBar(error, $"sampling {labels.Length} images", (labels.Length + samplerOptions.BatchSize - 1) / samplerOptions.BatchSize * generator.Sampler.Steps))
                generator.Generate(labels, seeds, pixels, new Progress(bar));
            string png = parse.GetValue(outPath)!.FullName;
            ImageGrid.SavePng(png, pixels, labels.Length, generator.Channels, generator.Height, generator.Width, n, parse.GetValue(scale));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {png}: {classIds.Length} classes × {n} images, {generator.Sampler.Options.Sampler} {generator.Sampler.Steps} steps, guidance {samplerOptions.GuidanceScale}, {watch.Elapsed.TotalSeconds:F1} s"));
            if (parse.GetValue(npz) is { } npzFile)
            {
                int plane = generator.Channels * generator.Height * generator.Width;
                var bytes = new byte[labels.Length * plane];
                for (int i = 0; i < labels.Length; i++)
                    PixelConversion.ChwToHwcBytes(pixels.AsSpan(i * plane, plane), bytes.AsSpan(i * plane, plane), generator.Channels, generator.Height, generator.Width);
                NpyWriter.SaveImagesNpz(npzFile.FullName, bytes, labels.Length, generator.Height, generator.Width, generator.Channels);
                output.WriteLine($"wrote {npzFile.FullName}: arr_0 uint8 ({labels.Length}, {generator.Height}, {generator.Width}, {generator.Channels})");
            }
            return 0;
        });
        return command;
    }

    private static long[] ParseClasses(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new ArgumentException("--classes needs at least one class id");
        return parts.Select(p => long.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"--classes: '{p}' is not a class id")).ToArray();
    }

    private sealed class Progress(ProgressBar bar) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => bar.Advance();
    }
}
