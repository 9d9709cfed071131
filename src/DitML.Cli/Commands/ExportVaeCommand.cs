using System.CommandLine;
using System.Globalization;
using DitML.Vae;

namespace DitML.Cli.Commands;

/// <summary>
/// `ditml export-vae`: a VAE checkpoint (ditml train-vae's vae.safetensors, or SD's diffusers/original weights) to the
/// encoder and decoder ONNX models latent training and serving use, so neither needs C#.
/// </summary>
internal static class ExportVaeCommand
{
    /// <summary>File name of the exported encoder.</summary>
    public const string EncoderFileName = "vae-encoder.onnx";

    /// <summary>File name of the exported decoder.</summary>
    public const string DecoderFileName = "vae-decoder.onnx";

    public static Command Create(TextWriter output)
    {
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "VAE weights: a ditml train-vae vae.safetensors or Stable Diffusion's VAE (diffusers names).", Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = $"Folder for {EncoderFileName} and {DecoderFileName} (created).", Required = true };
        var unscaled = new Option<bool>("--unscaled") { Description = "Latents without the scaling factor (default: scaled, as the DiT is trained on)." };
        var command = new Command("export-vae", "Export a VAE's encoder (pixels in [-1, 1] → latents) and decoder (latents → pixels) to ONNX.");
        foreach (var o in new Option[] { checkpoint, outDir, unscaled }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var file = parse.GetValue(checkpoint)!;
            if (!file.Exists) throw new FileNotFoundException($"VAE checkpoint (--checkpoint) not found: {file.FullName}", file.FullName);
            using var vae = VaeCheckpoint.Load(file.FullName);
            bool scaled = !parse.GetValue(unscaled);
            // Both models are built before anything is written, so a failure leaves no half-exported folder.
            var encoder = VaeOnnxExporter.ExportEncoder(vae, scaled);
            var decoder = VaeOnnxExporter.ExportDecoder(vae, scaled);
            string dir = parse.GetValue(outDir)!.FullName;
            Directory.CreateDirectory(dir);
            string encoderPath = Path.Combine(dir, EncoderFileName), decoderPath = Path.Combine(dir, DecoderFileName);
            encoder.Save(encoderPath);
            decoder.Save(decoderPath);
            var c = vae.Config;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {encoderPath} and {decoderPath}: {c.InChannels} channels ↔ {c.LatentChannels} latent channels, downsampling {c.DownsampleFactor}×, {(scaled ? $"latents scaled by {c.ScalingFactor:G5}" : "unscaled latents")}"));
            return 0;
        });
        return command;
    }
}
