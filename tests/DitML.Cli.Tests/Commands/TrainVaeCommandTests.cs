using DitML.Cli.Commands;
using DitML.Vae;

namespace DitML.Cli.Tests.Commands;

[TestClass]
public sealed class TrainVaeCommandTests
{
    [TestMethod]
    public void TrainsMeasuresAndWritesWeightsAndOnnx()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-vae-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
            IdxFiles.Write(data, n: 16, size: 8, classes: 2);
            var (code, output, error) = CliRunner.Run("train-vae", "--data", data, "--blocks", "8,16", "--groups", "4", "--steps", "12",
                "--batch", "4", "--log-every", "4", "--eval-images", "8", "--out", run);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "8×8×1 → 4×4×4");
            StringAssert.Contains(output, "on 8 training images");                  // no test split in this folder
            var steps = File.ReadAllLines(Path.Combine(run, "log.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64());
            CollectionAssert.AreEqual(new long[] { 4, 8, 12 }, steps.ToArray());
            foreach (var file in new[] { "vae-encoder.onnx", "vae-decoder.onnx", "loss.png", TrainVaeCommand.ReconstructionsFileName })
                Assert.IsTrue(File.Exists(Path.Combine(run, file)), file);

            // The saved VAE carries the measured scaling factor: its scaled latents of the same images have unit spread.
            using var vae = VaeCheckpoint.Load(Path.Combine(run, TrainVaeCommand.WeightsFileName));
            CollectionAssert.AreEqual(new[] { 8, 16 }, vae.Config.BlockOutChannels.ToArray());
            var images = DitML.Data.IdxDataset.Load(data, DitML.Data.IdxSplit.Train);
            var report = VaeReconstruction.Measure(vae, images, maxImages: 8);
            Assert.AreEqual(1 / report.LatentStd, vae.Config.ScalingFactor, 1e-4 / report.LatentStd);
            StringAssert.Contains(output, $"PSNR {report.Psnr:F2} dB");

            (code, _, error) = CliRunner.Run("train-vae", "--data", data, "--blocks", "8,16", "--groups", "4", "--steps", "1", "--out", run);
            Assert.AreEqual(2, code, "a trained VAE is never overwritten");
            StringAssert.Contains(error, "already holds");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("--blocks", "8,x", "--blocks")]
    [DataRow("--batch", "0", "batch size")]
    public void BadSettingsAreAClearErrorAndWriteNothing(string option, string value, string named)
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-vae-bad-").FullName;
        try
        {
            string data = Path.Combine(root, "data");
            IdxFiles.Write(data, n: 4, size: 8, classes: 2);
            var args = new List<string> { "train-vae", "--data", data, "--groups", "4", option, value, "--out", Path.Combine(root, "run") };
            if (option != "--blocks") args.AddRange(["--blocks", "8"]);
            var (code, _, error) = CliRunner.Run([.. args]);
            Assert.AreEqual(2, code, error);
            StringAssert.Contains(error, named);
            Assert.IsFalse(Directory.Exists(Path.Combine(root, "run")), "nothing written");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
