using DitML.Numpy;

namespace DitML.Cli.Tests.Commands;

/// <summary>
/// <c>ditml sample --model CHECKPOINT</c>: a DiT checkpoint sampled on TorchSharp, as the official sample.py samples a
/// .pt, gives the images of its ONNX export (the shipped Fashion-MNIST model: ema.safetensors and model.onnx, same
/// seeds and guidance), and refuses what only an export can do, in one line.
/// </summary>
[TestClass]
public sealed class SampleCheckpointTests
{
    private static string Shipped(string file) => Path.Combine(Packaging.DotNet.RepositoryRoot, "examples", "models", "fashion-mnist", file);

    [TestMethod]
    public void ACheckpointSamplesTheImagesOfItsExport()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-cli-ckpt").FullName;
        try
        {
            byte[] Sample(string model, string npz)
            {
                var (code, output, error) = CliRunner.Run("sample", "--model", model, "--classes", "0,5,9", "--per-class", "3", "--seed", "4",
                    "--steps", "10", "--cfg", "2", "--npz", npz, "--device", "auto");
                Assert.AreEqual(0, code, error);
                StringAssert.Contains(output, "guidance 2, on cpu");
                return NpyArray.ReadNpz(npz)["arr_0"].Data;
            }
            var fromCheckpoint = Sample(Shipped("ema.safetensors"), Path.Combine(dir, "checkpoint.npz"));
            var fromExport = Sample(Shipped("model.onnx"), Path.Combine(dir, "export.npz"));
            Assert.HasCount(9 * 28 * 28, fromCheckpoint);
            Assert.HasCount(fromExport.Length, fromCheckpoint);
            int differing = 0;
            for (int i = 0; i < fromExport.Length; i++)
            {
                int d = Math.Abs(fromCheckpoint[i] - fromExport[i]);
                Assert.IsLessThanOrEqualTo(1, d, $"pixel {i}: libtorch and ONNX Runtime differ by float rounding only");
                differing += d;
            }
            Assert.IsLessThan(fromExport.Length / 1000, differing, "at most one pixel in a thousand off by one level");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void WhatOnlyAnExportCanDoIsRefusedInOneLine()
    {
        string png = Path.Combine(Path.GetTempPath(), $"ditml-never-{Guid.NewGuid():N}.png");
        var (code, _, error) = CliRunner.Run("sample", "--model", Shipped("model.onnx"), "--classes", "0", "--out", png, "--precision", "bf16");
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "--precision is for checkpoints");
        (code, _, error) = CliRunner.Run("sample", "--model", Shipped("ema.safetensors"), "--classes", "0", "--out", png, "--precision", "fp8");
        Assert.AreEqual(2, code, error);
        Assert.IsFalse(File.Exists(png));
    }
}
