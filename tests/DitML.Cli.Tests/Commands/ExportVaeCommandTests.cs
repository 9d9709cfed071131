using DitML.Cli.Commands;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DitML.Cli.Tests.Commands;

[TestClass]
public sealed class ExportVaeCommandTests
{
    [TestMethod]
    public void ExportsEncoderAndDecoderThatOnnxRuntimeRuns()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-export-vae-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), run = Path.Combine(root, "run"), outDir = Path.Combine(root, "onnx");
            IdxFiles.Write(data, n: 8, size: 8, classes: 2);
            var (code, _, error) = CliRunner.Run("train-vae", "--data", data, "--blocks", "8,16", "--groups", "4", "--steps", "2", "--batch", "4",
                "--eval-images", "4", "--out", run);
            Assert.AreEqual(0, code, error);
            (code, var output, error) = CliRunner.Run("export-vae", "--checkpoint", Path.Combine(run, TrainVaeCommand.WeightsFileName), "--out", outDir);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "downsampling 2×");
            // The same models train-vae wrote beside its weights, byte for byte.
            foreach (var name in new[] { ExportVaeCommand.EncoderFileName, ExportVaeCommand.DecoderFileName })
                CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(run, name)), File.ReadAllBytes(Path.Combine(outDir, name)), name);

            using var encoder = new InferenceSession(Path.Combine(outDir, ExportVaeCommand.EncoderFileName));
            using var decoder = new InferenceSession(Path.Combine(outDir, ExportVaeCommand.DecoderFileName));
            var pixels = new DenseTensor<float>(Enumerable.Range(0, 2 * 64).Select(i => (i % 9) / 4f - 1).ToArray(), [2, 1, 8, 8]);
            using var latents = encoder.Run([NamedOnnxValue.CreateFromTensor("pixels", pixels)]);
            var z = latents.First().AsTensor<float>();
            CollectionAssert.AreEqual(new[] { 2, 4, 4, 4 }, z.Dimensions.ToArray());
            using var back = decoder.Run([NamedOnnxValue.CreateFromTensor("latents", z.ToDenseTensor())]);
            CollectionAssert.AreEqual(new[] { 2, 1, 8, 8 }, back.First().AsTensor<float>().Dimensions.ToArray());
            Assert.IsTrue(back.First().AsTensor<float>().All(float.IsFinite));

            (code, _, error) = CliRunner.Run("export-vae", "--checkpoint", Path.Combine(root, "none.safetensors"), "--out", Path.Combine(root, "x"));
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "none.safetensors");
            Assert.IsFalse(Directory.Exists(Path.Combine(root, "x")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
