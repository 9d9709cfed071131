using System.CommandLine;
using System.Globalization;
using DitML.Data;
using DitML.Dit;
using DitML.Generation;
using DitML.Imaging;
using DitML.Numpy;
using DitML.Precision;
using DitML.Sampling;

namespace DitML.Cli.Commands;

/// <summary>
/// `ditml sample`: class-conditional images from an exported model, streamed to an ADM-layout .npz in bounded memory
/// (FID-50K sets) and/or drawn as a PNG grid. Row i of a run is class <c>classes[i / per-class]</c> with seed
/// <c>DerivedSeed.Of(seed, i)</c>; rows are generated in batches aligned to multiples of <c>--batch</c>, so
/// <c>--shard I/N</c> generates exactly the batches of shard I and <c>ditml merge-npz</c> of all shards is the
/// unsharded file, byte for byte.
/// </summary>
internal static class SampleCommand
{
    /// <summary>The name of the int64 array a shard's .npz carries beside arr_0: index, count, first row, rows, total rows, batch.</summary>
    public const string ShardArray = "ditml_shard";

    /// <summary>Columns of the PNG grid at most (images of one class per row).</summary>
    private const int MaxGridColumns = 16;

    /// <summary>Rows of the PNG grid by default (one per class, the first ones).</summary>
    private const int DefaultGridRows = 32;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "An ONNX model written by `ditml export-onnx`, or a DiT / latent DiffiT checkpoint (.pt, .safetensors: sampled on TorchSharp, as the official sample.py does).", Required = true };
        var classes = new Option<string>("--classes") { Description = "Comma-separated class ids or names, e.g. 0,1,2 or Coat,Bag (names need a model exported with --class-names).", Required = true };
        var perClass = new Option<long>("--per-class") { Description = "Images per class.", DefaultValueFactory = _ => 8 };
        var seed = new Option<long>("--seed") { Description = "Global seed; the same seed gives the same images.", DefaultValueFactory = _ => 0 };
        var sampler = new Option<string?>("--sampler") { Description = "ddpm, ddim, dpm++ or heun (default: dpm++; EDM models such as image DiffiT: heun, EDM's sampler)." };
        var steps = new Option<int?>("--steps") { Description = "Sampler steps (default: 20; EDM models: the model's recommendation, 18 at 32², 40 at 64²)." };
        var cfg = new Option<double?>("--cfg") { Description = "Classifier-free guidance scale (default: the model's recommendation); 1 disables it." };
        var eta = new Option<double>("--eta") { Description = "DDIM η.", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "Rows generated together (shards of one run must use the same).", DefaultValueFactory = _ => 16 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0: one per core).", DefaultValueFactory = _ => 0 };
        var outPath = new Option<FileInfo?>("--out") { Description = "PNG grid to write: a row per class, up to 16 images each." };
        var grid = new Option<int?>("--grid") { Description = $"Rows (classes) of the PNG grid (default: the first {DefaultGridRows} classes)." };
        var scale = new Option<int>("--scale") { Description = "Enlarge each pixel of the grid (for small images).", DefaultValueFactory = _ => 1 };
        var vaeDecoder = new Option<FileInfo?>("--vae-decoder") { Description = "Latent models: the VAE decoder exported to ONNX (VaeOnnxExporter.ExportDecoder)." };
        var npz = new Option<FileInfo?>("--npz") { Description = "Write every sample as uint8 NHWC under arr_0 (the ADM evaluator's layout), streamed." };
        var device = DeviceOption.Create("The model and its VAE decoder");
        var precision = new Option<string?>("--precision") { Description = "A checkpoint's compute precision on TorchSharp: fp32 (default) or bf16 (fast where the CPU has AVX512-BF16 or AMX). ONNX models carry their own." };
        var shard = new Option<string?>("--shard") { Description = "I/N: generate only shard I (0-based) of N of the run into --npz; join shards with `ditml merge-npz`." };
        var command = new Command("sample", "Generate class-conditional images from an exported model with classifier-free guidance.");
        foreach (var o in new Option[] { model, classes, perClass, seed, sampler, steps, cfg, eta, batch, threads, device, precision, vaeDecoder, outPath, grid, scale, npz, shard })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            // Everything that can be refused is refused before the model opens or a row is generated.
            var classTexts = SplitClasses(parse.GetValue(classes)!);
            long n = parse.GetValue(perClass);
            if (n <= 0) throw new ArgumentException($"--per-class must be positive, got {n}");
            long total = classTexts.Length <= long.MaxValue / n ? classTexts.Length * n
                : throw new ArgumentException($"--classes ({classTexts.Length}) × --per-class ({n}) images are more than a run can count");
            int batchSize = parse.GetValue(batch);
            if (batchSize <= 0) throw new ArgumentException($"--batch must be positive, got {batchSize}");
            if (parse.GetValue(cfg) is { } g && !double.IsFinite(g)) throw new ArgumentException($"--cfg must be a finite number, got {g.ToString(CultureInfo.InvariantCulture)}");
            string? png = parse.GetValue(outPath)?.FullName, npzPath = parse.GetValue(npz)?.FullName;
            if (png is null && npzPath is null) throw new ArgumentException("nothing to write: give --out (a PNG grid), --npz (the samples) or both");
            if (png is not null && npzPath is not null && string.Equals(png, npzPath, StringComparison.Ordinal))
                throw new ArgumentException($"--out and --npz are the same file ({png}); give two paths");
            var (shardIndex, shardCount) = ParseShard(parse.GetValue(shard));
            if (shardCount > 1 && npzPath is null) throw new ArgumentException("--shard writes its rows to --npz: give --npz");
            if (shardCount > 1 && png is not null) throw new ArgumentException("--out draws the grid of a whole run: leave it out of sharded runs (draw it from an unsharded run)");
            int gridRows = parse.GetValue(grid) ?? Math.Min(classTexts.Length, DefaultGridRows);
            if (gridRows <= 0 || gridRows > classTexts.Length)
                throw new ArgumentException($"--grid must be between 1 and the {classTexts.Length} classes, got {gridRows}");
            if (parse.GetValue(grid) is not null && png is null) throw new ArgumentException("--grid sets the rows of the PNG grid: give --out");
            int pixelScale = parse.GetValue(scale);
            if (pixelScale <= 0) throw new ArgumentException($"--scale must be positive, got {pixelScale}");
            var onDevice = DeviceOption.Read(parse, device);                 // an unusable CUDA is refused here, before the model opens

            string modelPath = parse.GetValue(model)!.FullName;
            var samplerOptions = new SamplerOptions
            {
                Sampler = SamplerOptions.ParseSampler(parse.GetValue(sampler) ?? "dpm++"),
                Steps = parse.GetValue(steps) ?? 20,
                Eta = parse.GetValue(eta),
                BatchSize = batchSize,
                GuidanceScale = parse.GetValue(cfg),
            };
            var generatorOptions = new DiffusionGeneratorOptions
            {
                Sampler = samplerOptions,
                Threads = parse.GetValue(threads),
                UseModelSampler = parse.GetValue(sampler) is null && parse.GetValue(steps) is null,
                VaeDecoderPath = parse.GetValue(vaeDecoder)?.FullName,
                Device = onDevice,
            };
            using var generator = TransformerCheckpoint.IsCheckpointPath(modelPath)
                ? OpenCheckpoint(modelPath, generatorOptions, parse.GetValue(precision))
                : parse.GetValue(precision) is not null
                    ? throw new ArgumentException("--precision is for checkpoints sampled on TorchSharp; an ONNX model's precision is chosen at export (ditml export-onnx --precision)")
                    : DiffusionGenerator.Open(modelPath, generatorOptions);
            samplerOptions = generator.Sampler.Options;
            var classIds = classTexts.Select(c => long.TryParse(c, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long id) ? id
                : ClassNaming.Find(generator.ClassNames, c, "the model")).ToArray();
            foreach (var c in classIds)
            {
                if (c < 0 || c >= generator.NumClasses)
                    throw new ArgumentException($"unknown class {c}: {modelPath} knows classes 0..{generator.NumClasses - 1}");
            }
            int channels = generator.Channels, height = generator.Height, width = generator.Width, plane = channels * height * width;
            if (png is not null && (long)gridRows * Math.Min(n, MaxGridColumns) * plane > Array.MaxLength / 4)
                throw new ArgumentException($"--grid {gridRows} rows of {Math.Min(n, MaxGridColumns)} images of {channels}×{height}×{width} make too large a PNG; lower --grid");

            // The run's batches: [b·batch, (b+1)·batch). A shard takes a contiguous range of whole batches.
            long batches = (total + batchSize - 1) / batchSize;
            long firstBatch = (long)((Int128)shardIndex * batches / shardCount), endBatch = (long)((Int128)(shardIndex + 1) * batches / shardCount);
            long firstRow = firstBatch * batchSize, endRow = Math.Min(endBatch * batchSize, total);
            int gridColumns = (int)Math.Min(n, MaxGridColumns);
            bool InGrid(long row) => png is not null && row / n < gridRows && row % n < gridColumns;

            NpzImageWriter? writer = null;
            // Ctrl+C / SIGTERM stop between sampler steps; the unfinished .npz.partial is deleted, no grid is drawn.
            using var stop = new StopSignals(error, "deleting the unfinished output");
            try
            {
                if (npzPath is not null)
                {
                    CheckSpace(npzPath, (endRow - firstRow) * (long)plane);
                    long[]? place = shardCount > 1 ? [shardIndex, shardCount, firstRow, endRow - firstRow, total, batchSize] : null;
                    writer = new NpzImageWriter(npzPath, endRow - firstRow, height, width, channels, place is null ? null : [(ShardArray, place)]);
                }
                if (png is not null) CheckWritable(png);

                // The batches to run, in order, never held in a list (a run may have billions): the shard's, or (grid
                // alone) those holding the grid's rows, each once.
                IEnumerable<long> Needed()
                {
                    if (writer is not null)
                    {
                        for (long b = firstBatch; b < endBatch; b++) yield return b;
                        yield break;
                    }
                    long last = -1;
                    for (int c = 0; c < gridRows; c++)
                        for (long b = Math.Max(c * n / batchSize, last + 1); b <= (c * n + gridColumns - 1) / batchSize; b++)
                            yield return last = b;
                }
                long batchesToRun = writer is not null ? endBatch - firstBatch : Needed().LongCount();
                var gridPixels = png is null ? [] : new float[(long)gridRows * gridColumns * plane];
                var labels = new long[batchSize];
                var seeds = new long[batchSize];
                var pixels = new float[batchSize * plane];
                var bytes = new byte[batchSize * plane];
                var watch = System.Diagnostics.Stopwatch.StartNew();
                using (var bar = new ProgressBar(error, $"sampling {(writer is null ? gridRows * gridColumns : endRow - firstRow)} images", batchesToRun * generator.Sampler.Steps))
                {
                    var progress = new Progress(bar);
                    foreach (long b in Needed())
                    {
                        long start = b * batchSize;
                        int count = (int)Math.Min(batchSize, total - start);
                        for (int k = 0; k < count; k++)
                        {
                            labels[k] = classIds[(start + k) / n];
                            seeds[k] = DerivedSeed.Of(parse.GetValue(seed), start + k);
                        }
                        generator.Generate(labels.AsSpan(0, count), seeds.AsSpan(0, count), pixels.AsSpan(0, count * plane), progress, stop.Token);
                        for (int k = 0; k < count; k++)
                        {
                            long row = start + k;
                            if (InGrid(row))
                                pixels.AsSpan(k * plane, plane).CopyTo(gridPixels.AsSpan((int)(((row / n) * gridColumns + row % n) * plane), plane));
                        }
                        if (writer is null) continue;
                        for (int k = 0; k < count; k++)
                            PixelConversion.ChwToHwcBytes(pixels.AsSpan(k * plane, plane), bytes.AsSpan(k * plane, plane), channels, height, width);
                        writer.Write(bytes.AsSpan(0, count * plane));
                    }
                }
                string settings = string.Create(CultureInfo.InvariantCulture,
                    $"{generator.Sampler.Options.Sampler} {generator.Sampler.Steps} steps, guidance {samplerOptions.GuidanceScale}, on {generator.Device}, {watch.Elapsed.TotalSeconds:F1} s");
                if (png is not null)
                {
                    ImageGrid.SavePng(png, gridPixels, gridRows * gridColumns, channels, height, width, gridColumns, pixelScale);
                    output.WriteLine($"wrote {png}: {gridRows} classes × {gridColumns} images, {settings}");
                }
                if (writer is not null)
                {
                    writer.Complete();
                    string part = shardCount > 1 ? $" (shard {shardIndex}/{shardCount}: rows {firstRow}..{endRow - 1} of {total})" : "";
                    output.WriteLine($"wrote {npzPath}: arr_0 uint8 ({endRow - firstRow}, {height}, {width}, {channels}){part}, {classIds.Length} classes × {n} images, {settings}");
                }
            }
            catch (OperationCanceledException) when (stop.Requested)
            {
                error.WriteLine("stopped before the last image: nothing written");
                return 130;
            }
            finally
            {
                writer?.Dispose();                                              // before Complete: deletes the .partial
            }
            return 0;
        });
        return command;
    }

    /// <summary>Class ids or names separated by commas; an empty entry ("1,,2") or a trailing comma is refused.</summary>
    internal static string[] SplitClasses(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.All(p => p.Length == 0)) throw new ArgumentException("--classes needs at least one class id");
        return parts.Select(p => p.Length == 0 ? throw new ArgumentException($"--classes '{text}' has an empty entry; separate classes by single commas") : p).ToArray();
    }

    /// <summary>"I/N" with 0 ≤ I &lt; N; none is shard 0 of 1.</summary>
    internal static (long Index, long Count) ParseShard(string? text)
    {
        if (text is null) return (0, 1);
        var parts = text.Split('/');
        if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long i)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long count) && count >= 1 && i < count)
            return (i, count);
        throw new ArgumentException($"--shard must be I/N with 0 ≤ I < N (e.g. 0/4 for the first of 4), got '{text}'");
    }

    /// <summary>A DiT or latent DiffiT checkpoint sampled on TorchSharp, described as its export would be.</summary>
    private static DiffusionGenerator OpenCheckpoint(string path, DiffusionGeneratorOptions options, string? precisionText)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model not found: {path}", path);
        if (ImageDiffiTCommands.IsImageDiffiT(path))
            throw new ArgumentException($"{path} is an image DiffiT (EDM) checkpoint: export it (ditml export-onnx --checkpoint) and sample the ONNX model");
        var precision = precisionText is null ? ComputePrecision.Fp32 : ComputePrecisionNames.Parse(precisionText);
        if (options.Device is { Kind: DitML.Onnx.OnnxDeviceKind.Cuda } device)
            throw new ArgumentException($"--device {device}: checkpoints are sampled on libtorch's CPU here; export the model (ditml export-onnx) to sample it on the GPU");
        options = options with { Device = null };                                 // auto: the CPU, where libtorch runs
        var model = TransformerCheckpoint.Load(path, new DiTLoadOptions());
        try
        {
            return CheckpointGenerator.Open(model, options, description: null, precision);   // guidance as export-onnx recommends
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Refuses a file that would not fit in the free space of its disk, before any row is generated.</summary>
    private static void CheckSpace(string path, long bytes)
    {
        string dir = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--npz {path}: the folder {dir} does not exist");
        long free;
        try
        {
            free = new DriveInfo(dir).AvailableFreeSpace;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return;                                                               // no figure for this file system: write and see
        }
        if (bytes > free)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--npz {path} would hold {bytes / 1e9:F2} GB of images, and its disk has {free / 1e9:F2} GB free; lower --per-class or shard the run (--shard I/N)"));
    }

    /// <summary>Checks that a file can be created at <paramref name="path"/> (its partial twin is created and deleted).</summary>
    private static void CheckWritable(string path)
    {
        string probe = path + ".partial";
        try
        {
            using (File.Create(probe)) { }
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--out {path} cannot be written: {e.Message}", e);
        }
    }

    private sealed class Progress(ProgressBar bar) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => bar.Advance();
    }
}
