using DitML.Dit;

namespace DitML.Cli.Tests.Commands;

[TestClass]
public sealed class TrainCommandTests
{
    [TestMethod]
    public void TrainsResumesAndExports()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-train-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
            IdxFiles.Write(data, n: 12, size: 8, classes: 3);
            var (code, output, error) = CliRunner.Run("train", "--data", data, "--depth", "1", "--hidden-size", "16", "--heads", "2",
                "--patch", "2", "--steps", "3", "--batch", "4", "--log-every", "1", "--out", run);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "stopped at step 3");
            (code, output, error) = CliRunner.Run("train", "--data", data, "--steps", "5", "--out", run, "--resume");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "from step 3 to 5");
            var steps = File.ReadAllLines(Path.Combine(run, "log.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64());
            CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5 }, steps.ToArray(), "the resumed run keeps the saved options (log every step)");
            (code, _, error) = CliRunner.Run("export-onnx", "--checkpoint", Path.Combine(run, "ema.safetensors"), "--out", Path.Combine(root, "m.onnx"));
            Assert.AreEqual(0, code, error);
            (code, _, error) = CliRunner.Run("train", "--data", data, "--steps", "3", "--out", run);
            Assert.AreEqual(2, code, "a second fresh run into the same folder is refused");
            StringAssert.Contains(error, "--resume");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void TrainsOnLatentsOfATrainedVaeAndResumesFromTheCache()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-latent-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), vaeRun = Path.Combine(root, "vae"), run = Path.Combine(root, "run");
            IdxFiles.Write(data, n: 8, size: 8, classes: 2);
            var (code, _, error) = CliRunner.Run("train-vae", "--data", data, "--blocks", "8,16", "--groups", "4", "--steps", "2", "--batch", "4",
                "--eval-images", "4", "--out", vaeRun);
            Assert.AreEqual(0, code, error);
            (code, var output, error) = CliRunner.Run("train", "--data", data, "--vae", Path.Combine(vaeRun, "vae.safetensors"), "--depth", "1",
                "--hidden-size", "16", "--heads", "2", "--patch", "2", "--steps", "2", "--batch", "4", "--log-every", "1", "--out", run);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "on 16 images");                        // 8 images and their mirrors, encoded once
            StringAssert.Contains(output, "--vae-decoder");
            var cache = DitML.Vae.LatentCache.Open(Path.Combine(run, "latents.safetensors"));
            Assert.AreEqual((4, 4, 4), (cache.Channels, cache.Height, cache.Width), "8×8×1 images → 4×4×4 latents");
            (code, output, error) = CliRunner.Run("train", "--data", data, "--steps", "3", "--out", run, "--resume");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "from step 2 to 3");                    // the cache, without --vae again
            using var back = DitML.Dit.DiTCheckpoint.Load(Path.Combine(run, "ema.safetensors"));
            Assert.AreEqual((4, 4), (back.Config.InChannels, back.Config.InputSize));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void TrainsOnAnImageFolderWithAClassPerSubfolder()
    {
        string run = Path.Combine(Directory.CreateTempSubdirectory("ditml-cli-folder-").FullName, "run");
        try
        {
            string folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", "folder");
            var (code, output, error) = CliRunner.Run("train", "--data", folder, "--image-size", "16", "--depth", "1", "--hidden-size", "16",
                "--heads", "2", "--patch", "4", "--steps", "2", "--batch", "2", "--log-every", "1", "--out", run);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "on 7 images");                      // cat 3 (one in cat/sub), dog 2, Zebra 2; notes.txt is skipped
            using var back = DitML.Dit.DiTCheckpoint.Load(Path.Combine(run, "ema.safetensors"));
            Assert.AreEqual(3, back.Config.InChannels);
            Assert.AreEqual(16, back.Config.InputSize);
            Assert.AreEqual(3, back.Config.NumClasses);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(run)!, recursive: true);
        }
    }

    [TestMethod]
    public void MissingDataFolderIsAClearError()
    {
        var (code, _, error) = CliRunner.Run("train", "--data", "/no/data", "--out", "/tmp/never");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "/no/data");
    }
}
