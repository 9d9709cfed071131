using DitML.Checkpoints;
using DitML.Onnx;
using DitML.Sampling;

namespace DitML.Cli.Tests.Commands;

/// <summary>Latent DiffiT through `ditml convert`, `export-onnx`, `train` and `sample`.</summary>
[TestClass]
public sealed class DiffiTCommandTests
{
    private static string FixturePath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    [TestMethod]
    public void TheReleasedLayoutConvertsAndExportsWithTheReleasesGuidance()
    {
        // small.pt / small.safetensors: a latent DiffiT state_dict written by PyTorch (no DitML metadata).
        string dir = Directory.CreateTempSubdirectory("ditml-cli-diffit-").FullName;
        try
        {
            string st = Path.Combine(dir, "small.safetensors"), onnx = Path.Combine(dir, "small.onnx");
            var (code, output, error) = CliRunner.Run("convert", "--in", FixturePath("diffit", "small.pt"), "--out", st);
            Assert.AreEqual(0, code, error);
            var converted = CheckpointFile.Read(st).Tensors;
            Assert.AreEqual(TensorDType.Int64, converted["blocks.0.attn.relative_position_index"].DType, "the index buffer stays int64");

            (code, output, error) = CliRunner.Run("export-onnx", "--checkpoint", st, "--out", onnx);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "custom DiffiT (4×8×8, 10 classes, latent space, fp32)");
            using var denoiser = new OnnxDenoiser(onnx);
            Assert.IsNotNull(denoiser.Info.DiffiTConfig);
            Assert.AreEqual(LatentDiffiTGuidance.Scale256, denoiser.Info.GuidanceScale);
            Assert.AreEqual(GuidanceScheduleKind.PowerCosine, denoiser.Info.GuidanceSchedule.Kind);
            Assert.IsTrue(denoiser.Info.GuideFirstThreeChannels);

            (code, _, error) = CliRunner.Run("export-onnx", "--checkpoint", FixturePath("diffit", "small.pt"), "--out", Path.Combine(dir, "cfg.onnx"), "--cfg", "2");
            Assert.AreEqual(0, code, error);
            using var scaled = new OnnxDenoiser(Path.Combine(dir, "cfg.onnx"));
            Assert.AreEqual(2.0, scaled.Info.GuidanceScale, "--cfg wins");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AWrongPresetListsTheMismatchesAndWritesNothing()
    {
        string onnx = Path.Combine(Path.GetTempPath(), $"diffit-wrong-{Guid.NewGuid():N}.onnx");
        var (code, _, error) = CliRunner.Run("export-onnx", "--checkpoint", FixturePath("diffit", "small.safetensors"), "--out", onnx, "--model", "DiffiT-S/2");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "does not fit the model");
        StringAssert.Contains(error, "missing key 'blocks.2.attn.relative_position_bias_table' (expected shape (49, 6))", "DiffiT-S/2 has 12 blocks of 6 heads, the file 2 of 4");
        Assert.IsFalse(File.Exists(onnx));
    }

    [TestMethod]
    public void AFreeConfigTrainsResumesFineTunesExportsAndSamples()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-cli-diffit-train-").FullName;
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run");
            IdxFiles.Write(data, n: 8, size: 8, classes: 2);
            var (code, output, error) = CliRunner.Run("train", "--data", data, "--out", run, "--family", "diffit", "--depth", "1", "--hidden-size", "16",
                "--heads", "2", "--patch", "2", "--steps", "2", "--batch", "4", "--log-every", "1");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "training latent DiffiT depth 1, width 16, patch 2");
            (code, output, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "3");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "from step 2 to 3");
            var refused = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "4", "--heads", "4");
            Assert.AreEqual(2, refused.ExitCode);
            StringAssert.Contains(refused.Error, "heads");

            // The run's checkpoint becomes the EMA's bare state_dict (no official DiffiT training dict exists).
            string pt = Path.Combine(dir, "ema.pt");
            (code, _, error) = CliRunner.Run("convert", "--in", Path.Combine(run, "checkpoint.safetensors"), "--out", pt);
            Assert.AreEqual(0, code, error);
            var bare = CheckpointFile.Read(pt);
            Assert.IsNull(bare.SelectedEntry);
            Assert.AreEqual(TensorDType.Int64, bare.Tensors["blocks.0.attn.relative_position_index"].DType);

            string tuned = Path.Combine(dir, "tuned");
            (code, output, error) = CliRunner.Run("train", "--data", data, "--out", tuned, "--init", Path.Combine(run, "ema.safetensors"), "--steps", "1", "--batch", "4");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "fine-tuning from");
            StringAssert.Contains(output, "latent DiffiT depth 1");

            string onnx = Path.Combine(dir, "diffit.onnx"), png = Path.Combine(dir, "grid.png");
            (code, output, error) = CliRunner.Run("export-onnx", "--checkpoint", Path.Combine(tuned, "ema.safetensors"), "--out", onnx);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "custom DiffiT (1×8×8, 2 classes, pixel space, fp32)");
            (code, output, error) = CliRunner.Run("sample", "--model", onnx, "--classes", "0,1", "--per-class", "2", "--sampler", "ddpm", "--steps", "4", "--out", png);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "guidance 4.4");
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            Assert.AreEqual((2 * 10 + 2, 2 * 10 + 2), (bitmap.Width, bitmap.Height), "2 rows of 2 8-px images with 2-px padding");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void FamilyAndAPresetNameAreNotBothGiven()
    {
        string data = Directory.CreateTempSubdirectory("ditml-cli-diffit-family-").FullName;
        try
        {
            IdxFiles.Write(data, n: 4, size: 8, classes: 2);
            var (code, _, error) = CliRunner.Run("train", "--data", data, "--out", Path.Combine(data, "run"), "--family", "dit", "--model", "DiffiT-S/4");
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "--family");
            Assert.IsFalse(Directory.Exists(Path.Combine(data, "run")));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
