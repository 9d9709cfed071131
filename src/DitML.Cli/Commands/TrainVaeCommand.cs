using System.CommandLine;
using System.Globalization;
using DitML.Cli.Plots;
using DitML.Data;
using DitML.Training;
using DitML.Vae;
using TorchSharp;

namespace DitML.Cli.Commands;

/// <summary>
/// `ditml train-vae`: trains a small KL autoencoder for data with no published VAE, sets its latent scaling factor from
/// the data, and writes the weights with ONNX encoder and decoder for the sampler.
/// </summary>
internal static class TrainVaeCommand
{
    /// <summary>The weights file in the run folder.</summary>
    public const string WeightsFileName = "vae.safetensors";

    /// <summary>The picture of evaluation images over their reconstructions, in the run folder.</summary>
    public const string ReconstructionsFileName = "reconstructions.png";

    private const int PictureColumns = 8;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var dataOptions = new DataOptions();
        var blocks = new Option<string>("--blocks") { Description = "Channels of the encoder's levels, comma-separated; the image shrinks 2× between levels.", DefaultValueFactory = _ => "32,64" };
        var latent = new Option<int>("--latent-channels") { Description = "Latent channels.", DefaultValueFactory = _ => 4 };
        var layers = new Option<int>("--layers") { Description = "ResNet blocks per level.", DefaultValueFactory = _ => 1 };
        var groups = new Option<int>("--groups") { Description = "GroupNorm groups (must divide every level's channels).", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch") { Description = "Images per step.", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate.", DefaultValueFactory = _ => 1e-3 };
        var kl = new Option<double>("--kl") { Description = "KL weight β in latent diffusion's units (1e-6 is Stable Diffusion's).", DefaultValueFactory = _ => 1e-6 };
        var loss = new Option<VaeReconstructionLoss>("--loss") { Description = "Reconstruction term.", DefaultValueFactory = _ => VaeReconstructionLoss.L1 };
        var seed = new Option<long>("--seed") { Description = "Seed of the weights, the batch order and the posterior noise.", DefaultValueFactory = _ => 0 };
        var logEvery = new Option<int>("--log-every") { Description = "Steps per log line (log.jsonl).", DefaultValueFactory = _ => 50 };
        var evalImages = new Option<int>("--eval-images") { Description = "Images for PSNR and the scaling factor: the test split when the data has one, else the training images.", DefaultValueFactory = _ => 1000 };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Run folder (vae.safetensors, vae-encoder.onnx, vae-decoder.onnx, reconstructions.png, log.jsonl, loss.png).", Required = true };
        var command = new Command("train-vae", "Train a small KL autoencoder (reconstruction + KL, AdamW) for data with no published VAE; writes its weights, its ONNX encoder and decoder, and its reconstruction PSNR. Ctrl+C or SIGTERM stops early and still writes everything.");
        dataOptions.AddTo(command);
        foreach (var o in new Option[] { blocks, latent, layers, groups, steps, batch, lr, kl, loss, seed, logEvery, evalImages, outDir }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string run = parse.GetValue(outDir)!.FullName;
            string weights = Path.Combine(run, WeightsFileName);
            if (File.Exists(weights)) throw new ArgumentException($"--out: {run} already holds a trained VAE ({WeightsFileName}); choose another folder");
            var dataset = dataOptions.Open(parse);
            var config = new VaeConfig
            {
                InChannels = dataset.Channels,
                OutChannels = dataset.Channels,
                BlockOutChannels = ParseBlocks(parse.GetValue(blocks)!),
                LatentChannels = parse.GetValue(latent),
                LayersPerBlock = parse.GetValue(layers),
                NormNumGroups = parse.GetValue(groups),
            }.Validate();
            torch.manual_seed(parse.GetValue(seed));
            using var model = new AutoencoderKL(config);
            using var trainer = new VaeTrainer(model, dataset, new VaeTrainerOptions
            {
                BatchSize = parse.GetValue(batch),
                Reconstruction = parse.GetValue(loss),
                KlWeight = parse.GetValue(kl),
                Optimizer = new AdamWOptions { LearningRate = parse.GetValue(lr) },
                Seed = parse.GetValue(seed),
            });
            Directory.CreateDirectory(run);                                     // only once the settings are known good
            int total = parse.GetValue(steps), every = Math.Max(1, parse.GetValue(logEvery));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"training a VAE [{string.Join(", ", config.BlockOutChannels)}] ({model.parameters().Sum(p => p.numel()):N0} parameters; {dataset.Height}×{dataset.Width}×{dataset.Channels} → {dataset.Height / config.DownsampleFactor}×{dataset.Width / config.DownsampleFactor}×{config.LatentChannels}) on {dataset.Count} images for {total} steps"));
            using var stop = new StopSignals(error);
            using (var bar = new ProgressBar(error, "training", total))
                trainer.Run(total, Path.Combine(run, "log.jsonl"), every, new StepBar(bar), stop.Token);
            var test = DataOptions.OpenTest(parse.GetValue(dataOptions.Data)!);
            var (evaluation, which) = test is null ? (dataset, "training") : (test, "test-split");
            var report = VaeReconstruction.Measure(model, evaluation, parse.GetValue(evalImages));
            // The scaling factor is measured, as latent diffusion does for a new autoencoder: a fresh module carries it.
            using var scaled = new AutoencoderKL(config with { ScalingFactor = report.ScalingFactor });
            scaled.load_state_dict(model.state_dict());
            VaeCheckpoint.Save(weights, scaled);
            VaeOnnxExporter.ExportEncoder(scaled).Save(Path.Combine(run, "vae-encoder.onnx"));
            VaeOnnxExporter.ExportDecoder(scaled).Save(Path.Combine(run, "vae-decoder.onnx"));
            string picture = Path.Combine(run, ReconstructionsFileName);
            WriteReconstructions(scaled, evaluation, picture);
            string curve = Path.Combine(run, LossCurve.FileName);
            bool plotted = LossCurve.Write(Path.Combine(run, "log.jsonl"), curve);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"stopped at step {trainer.Step}; reconstruction PSNR {report.Psnr:F2} dB (MSE {report.MeanSquaredError:G4}) on {report.Images} {which} images; latent std {report.LatentStd:G4}, scaling factor {report.ScalingFactor:G5}"));
            output.WriteLine($"wrote {weights}, vae-encoder.onnx, vae-decoder.onnx, {ReconstructionsFileName}" + (plotted ? $" and {curve}" : ""));
            return stop.Requested ? 130 : 0;
        });
        return command;
    }

    /// <summary>Advances the bar by one step per report, synchronously (unlike Progress&lt;T&gt;).</summary>
    private sealed class StepBar(ProgressBar bar) : IProgress<VaeLossTerms>
    {
        public void Report(VaeLossTerms value) => bar.Advance(1, string.Create(CultureInfo.InvariantCulture, $"loss {value.Total:F4}"));
    }

    /// <summary>Rows of <see cref="PictureColumns"/> images, each followed by a row of their reconstructions.</summary>
    private static void WriteReconstructions(AutoencoderKL vae, IImageDataset data, string path)
    {
        var (originals, reconstructions) = VaeReconstruction.Reconstruct(vae, data, 2 * PictureColumns);
        int plane = data.Channels * data.Height * data.Width, n = originals.Length / plane;
        int rows = (n + PictureColumns - 1) / PictureColumns, tileCount = 2 * rows * PictureColumns;
        var tiles = new float[tileCount * plane];
        Array.Fill(tiles, -1f);                                                 // black where a short last row leaves gaps
        for (int i = 0; i < n; i++)
        {
            int top = 2 * (i / PictureColumns) * PictureColumns + i % PictureColumns;   // the image, below it its reconstruction
            originals.AsSpan(i * plane, plane).CopyTo(tiles.AsSpan(top * plane, plane));
            reconstructions.AsSpan(i * plane, plane).CopyTo(tiles.AsSpan((top + PictureColumns) * plane, plane));
        }
        int scale = Math.Max(1, 64 / Math.Max(data.Height, data.Width));
        Imaging.ImageGrid.SavePng(path, tiles, tileCount, data.Channels, data.Height, data.Width, PictureColumns, scale);
    }

    private static int[] ParseBlocks(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] <= 0)
                throw new ArgumentException($"--blocks: '{text}' is not a comma-separated list of positive channel counts");
        if (values.Length == 0) throw new ArgumentException("--blocks: give at least one level");
        return values;
    }
}
