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
            StringAssert.Contains(output, "custom DiffiT (4×8×8, 10 classes, latent space)");
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
}
