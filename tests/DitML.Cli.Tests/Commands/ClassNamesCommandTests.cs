using DitML.Checkpoints;
using DitML.Dit;
using DitML.Models;
using static TorchSharp.torch;

namespace DitML.Cli.Tests.Commands;

/// <summary>`ditml export-onnx --class-names` and `ditml sample --classes` by name.</summary>
[TestClass]
public sealed class ClassNamesCommandTests
{
    [TestMethod]
    public void ClassesCanBeAskedForByName()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-cli-names").FullName;
        try
        {
            manual_seed(2);
            using (var model = new DiT(new DiTConfig { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 3 }))
                DiTCheckpoint.Save(Path.Combine(dir, "tiny.safetensors"), model);
            string names = Path.Combine(dir, "names.txt"), onnx = Path.Combine(dir, "named.onnx");
            File.WriteAllText(names, "Coat\nBag\nAnkle boot\n");
            var (code, _, error) = CliRunner.Run("export-onnx", "--checkpoint", Path.Combine(dir, "tiny.safetensors"), "--out", onnx, "--class-names", names);
            Assert.AreEqual(0, code, error);

            string[] Sample(string classes, string npz) =>
                ["sample", "--model", onnx, "--classes", classes, "--per-class", "2", "--steps", "2", "--sampler", "ddim", "--npz", npz];
            string byName = Path.Combine(dir, "by-name.npz"), byId = Path.Combine(dir, "by-id.npz");
            (code, _, error) = CliRunner.Run(Sample("Bag,ankle boot", byName));
            Assert.AreEqual(0, code, error);
            Assert.AreEqual(0, CliRunner.Run(Sample("1,2", byId)).ExitCode);
            CollectionAssert.AreEqual(File.ReadAllBytes(byId), File.ReadAllBytes(byName));

            (code, _, error) = CliRunner.Run(Sample("Hat", Path.Combine(dir, "x.npz")));
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "'Hat' is not a class");
            StringAssert.Contains(error, "Coat, Bag, Ankle boot");

            File.WriteAllText(names, "Coat\nBag\n");
            (code, _, error) = CliRunner.Run("export-onnx", "--checkpoint", Path.Combine(dir, "tiny.safetensors"), "--out", Path.Combine(dir, "bad.onnx"), "--class-names", names);
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "names 2 classes; the model has 3");
            Assert.IsFalse(File.Exists(Path.Combine(dir, "bad.onnx")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
