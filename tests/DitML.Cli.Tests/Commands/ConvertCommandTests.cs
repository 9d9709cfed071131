using DitML.Checkpoints;

namespace DitML.Cli.Tests.Commands;

[TestClass]
public sealed class ConvertCommandTests
{
    private static string FixturePath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    [TestMethod]
    public void ARunsCheckpointBecomesTheOfficialTrainingDict()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-cli-official-").FullName;
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run");
            IdxFiles.Write(data, n: 8, size: 8, classes: 2);
            var (trained, _, trainError) = CliRunner.Run("train", "--data", data, "--out", run, "--depth", "1", "--hidden-size", "16", "--heads", "2",
                "--patch", "2", "--steps", "2", "--batch", "4", "--log-every", "1");
            Assert.AreEqual(0, trained, trainError);
            string pt = Path.Combine(dir, "ckpt.pt");
            var (code, output, error) = CliRunner.Run("convert", "--in", Path.Combine(run, "checkpoint.safetensors"), "--out", pt);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "{model, ema, opt, args}");
            var model = CheckpointFile.Read(pt, CheckpointWeights.Model);
            Assert.AreEqual("model", model.SelectedEntry);
            Assert.AreEqual("4", model.Metadata["args.global_batch_size"]);
            Assert.IsTrue(model.Tensors.ContainsKey("x_embedder.proj.weight"), "official names, no DitML prefixes");

            // ... and back: a new run folder continues it from step 2.
            string again = Path.Combine(dir, "again");
            var refused = CliRunner.Run("train", "--data", data, "--out", again, "--resume-from", pt, "--depth", "2");
            Assert.AreEqual(2, refused.ExitCode);
            StringAssert.Contains(refused.Error, "--depth");
            Assert.IsFalse(Directory.Exists(again), "a refused option leaves no run folder");
            var (continued, said, continueError) = CliRunner.Run("train", "--data", data, "--out", again, "--resume-from", pt, "--steps", "4", "--batch", "4", "--log-every", "1");
            Assert.AreEqual(0, continued, continueError);
            StringAssert.Contains(said, "at step 2");
            StringAssert.Contains(said, "from step 2 to 4");
            Assert.IsTrue(File.Exists(Path.Combine(again, "checkpoint.safetensors")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void PtToSafetensorsAndBackKeepsNamesAndValues()
    {
        string source = FixturePath("dit", "small_state_dict.pt");
        string st = Path.GetTempFileName() + ".safetensors", pt = Path.GetTempFileName() + ".pt";
        try
        {
            var (code, output, error) = CliRunner.Run("convert", "--in", source, "--out", st);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "SafeTensors");
            Assert.AreEqual(0, CliRunner.Run("convert", "--in", st, "--out", pt).ExitCode);
            var a = CheckpointFile.Read(source).Tensors;
            var b = CheckpointFile.Read(pt).Tensors;
            CollectionAssert.AreEqual(a.Keys.ToList(), b.Keys.ToList());
            foreach (var (k, v) in a) CollectionAssert.AreEqual(v.Data, b[k].Data, k);
        }
        finally
        {
            File.Delete(st);
            File.Delete(pt);
        }
    }

    [TestMethod]
    public void TrainingDictTakesTheRequestedWeights()
    {
        string source = FixturePath("dit", "small_training.pt");
        string ema = Path.GetTempFileName() + ".safetensors", model = Path.GetTempFileName() + ".safetensors";
        try
        {
            StringAssert.Contains(CliRunner.Run("convert", "--in", source, "--out", ema).Output, "\"ema\" weights");
            StringAssert.Contains(CliRunner.Run("convert", "--in", source, "--out", model, "--weights", "model").Output, "\"model\" weights");
            CollectionAssert.AreNotEqual(
                CheckpointFile.Read(ema).Tensors["final_layer.linear.weight"].Data,
                CheckpointFile.Read(model).Tensors["final_layer.linear.weight"].Data);
        }
        finally
        {
            File.Delete(ema);
            File.Delete(model);
        }
    }

    [TestMethod]
    public void MaliciousFileIsRefusedWithExitCode2()
    {
        string outPath = Path.GetTempFileName() + ".safetensors";
        var (code, _, error) = CliRunner.Run("convert", "--in", FixturePath("checkpoints", "malicious.pt"), "--out", outPath);
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "refusing");
        Assert.IsFalse(File.Exists(outPath), "nothing written");
    }

    [TestMethod]
    public void MissingInputIsAClearError()
    {
        var (code, _, error) = CliRunner.Run("convert", "--in", "/no/such.pt", "--out", "/tmp/x.safetensors");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "/no/such.pt");
    }
}
