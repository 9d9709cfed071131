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

    private static readonly string[] Tiny = ["--depth", "1", "--hidden-size", "16", "--heads", "2", "--patch", "2", "--batch", "4", "--log-every", "1"];

    [TestMethod]
    public void ResumeKeepsTheStoredTargetAndStepsChangesItSayingSo()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-resume-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
            IdxFiles.Write(data, n: 12, size: 8, classes: 3);
            var (code, _, error) = CliRunner.Run(["train", "--data", data, .. Tiny, "--steps", "2", "--out", run]);
            Assert.AreEqual(0, code, error);
            (code, var output, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "from step 2 to 2");
            StringAssert.Contains(output, "already reached its target of 2 steps");
            Assert.AreEqual(2, DitML.Training.TrainingCheckpoint.Read(Path.Combine(run, "checkpoint.safetensors")).Options.Steps, "the target is not reset to a default");
            (code, output, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "3");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "--steps changes the run's target from 2 to 3 steps");
            StringAssert.Contains(output, "stopped at step 3");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ResumeWithDifferentSettingsIsRefusedNamingEachUnlessOverridden()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-resume-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
            IdxFiles.Write(data, n: 12, size: 8, classes: 3);
            var (code, _, error) = CliRunner.Run(["train", "--data", data, .. Tiny, "--steps", "1", "--out", run]);
            Assert.AreEqual(0, code, error);
            (code, _, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "2", "--depth", "3", "--lr", "0.5", "--batch", "2");
            Assert.AreEqual(2, code, "refused");
            StringAssert.Contains(error, "depth: stored 1, asked 3");
            StringAssert.Contains(error, "lr: stored 0.0001, asked 0.5");
            StringAssert.Contains(error, "batch: stored 4, asked 2");
            StringAssert.Contains(error, "--override");
            Assert.AreEqual(1, DitML.Training.TrainingCheckpoint.Read(Path.Combine(run, "checkpoint.safetensors")).Step, "nothing trained");
            (code, var output, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "2", "--lr", "0.0005", "--batch", "2", "--override", "lr,batch");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "stopped at step 2");
            var options = DitML.Training.TrainingCheckpoint.Read(Path.Combine(run, "checkpoint.safetensors")).Options;
            Assert.AreEqual((0.0005, 2), (options.Optimizer.LearningRate, options.BatchSize));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void PrecisionIsStoredWithTheRunAndAResumeInAnotherPrecisionIsRefusedUnlessOverridden()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-precision-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
            IdxFiles.Write(data, n: 12, size: 8, classes: 3);
            var (code, _, error) = CliRunner.Run(["train", "--data", data, .. Tiny, "--steps", "1", "--precision", "fp16", "--out", run]);
            Assert.AreNotEqual(0, code, "an unknown precision is refused");
            StringAssert.Contains(error, "fp16");
            Assert.IsFalse(Directory.Exists(run), "before a run folder exists");
            (code, var output, error) = CliRunner.Run(["train", "--data", data, .. Tiny, "--steps", "1", "--precision", "bf16", "--out", run]);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "in bf16 on 12 images");
            Assert.AreEqual(DitML.Precision.NativeBf16.IsSupported == false, error.Contains("warning: this CPU has no native bfloat16"),
                "bf16 on a CPU without it is warned about, and only then");
            string checkpoint = Path.Combine(run, "checkpoint.safetensors");
            Assert.AreEqual(DitML.Precision.ComputePrecision.Bf16, DitML.Training.TrainingCheckpoint.Read(checkpoint).Options.Precision);
            (code, output, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "2");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "in bf16", "a resume keeps the stored precision");
            (code, _, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "3", "--precision", "fp32");
            Assert.AreEqual(2, code, "refused");
            StringAssert.Contains(error, "precision: stored bf16, asked fp32");
            Assert.AreEqual(2, DitML.Training.TrainingCheckpoint.Read(checkpoint).Step, "nothing trained");
            (code, output, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "3", "--precision", "fp32", "--override", "precision");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "in fp32");
            Assert.AreEqual(DitML.Precision.ComputePrecision.Fp32, DitML.Training.TrainingCheckpoint.Read(checkpoint).Options.Precision);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ALearningRateScheduleIsLoggedStoredAndChangedOnResumeOnlyWhenOverridden()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-schedule-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
            IdxFiles.Write(data, n: 12, size: 8, classes: 3);
            var (code, output, error) = CliRunner.Run(["train", "--data", data, .. Tiny, "--steps", "4", "--lr", "0.001", "--lr-warmup", "2",
                "--lr-decay", "cosine", "--lr-decay-start", "2", "--lr-final", "0.1", "--out", run]);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "lr 0.001 (warm-up 2, cosine decay from step 2 to 0.1×)");
            var rates = File.ReadAllLines(Path.Combine(run, "log.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("lr").GetDouble()).ToArray();
            // Warm-up 1/2, 2/2; then the cosine from step 2 over the 2 steps left: 1, (0.1 + 0.9 × (1 + cos π/2) / 2).
            double[] expected = [0.0005, 0.001, 0.001, 0.001 * (0.1 + 0.9 * 0.5)];
            Assert.HasCount(4, rates);
            for (int i = 0; i < 4; i++) Assert.AreEqual(expected[i], rates[i], 1e-12, $"step {i}");

            (code, _, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "6", "--lr-decay", "linear");
            Assert.AreEqual(2, code, "refused");
            StringAssert.Contains(error, "lr-decay: stored cosine, asked linear");
            (code, output, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "6", "--lr-decay", "linear", "--override", "lr");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "linear decay from step 2 to 0.1×");
            var stored = DitML.Training.TrainingCheckpoint.Read(Path.Combine(run, "checkpoint.safetensors")).Options.Schedule;
            Assert.AreEqual((2L, DitML.Training.LearningRateDecay.Linear, 2L, 0.1), (stored.WarmupSteps, stored.Decay, stored.DecayStartStep, stored.FinalFraction));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("--ema", "NaN")]
    [DataRow("--lr", "Infinity")]
    [DataRow("--lr", "-1")]
    [DataRow("--checkpoint-every", "0")]
    [DataRow("--lr-final", "1")]
    [DataRow("--lr-warmup", "-1")]
    public void BadHyperparametersAreRefusedBeforeARunFolderExists(string option, string value)
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-bad-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
            IdxFiles.Write(data, n: 4, size: 8, classes: 2);
            var (code, _, error) = CliRunner.Run(["train", "--data", data, .. Tiny, "--steps", "1", option, value, "--out", run]);
            Assert.AreEqual(2, code, error);
            StringAssert.Contains(error, value == "0" ? "CheckpointEvery" : option);
            Assert.IsFalse(Directory.Exists(run), "a validation error leaves no run folder");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ATruncatedImageMidRunWritesACheckpointAndNamesTheFile()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-bad-png-").FullName;
        try
        {
            string source = Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", "folder"), folder = Path.Combine(root, "images"), run = Path.Combine(root, "run");
            foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
            {
                string to = Path.Combine(folder, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to);
            }
            string[] tiny = ["--image-size", "16", "--depth", "1", "--hidden-size", "16", "--heads", "2", "--patch", "4", "--batch", "2", "--log-every", "1", "--seed", "1"];
            string bad = Path.Combine(folder, "dog", "c_37x50.png");
            var bytes = File.ReadAllBytes(bad);
            File.WriteAllBytes(bad, bytes[..(bytes.Length / 3)]);
            var (code, output, error) = CliRunner.Run(["train", "--data", folder, .. tiny, "--steps", "20", "--out", run]);
            Assert.AreEqual(1, code, error);
            StringAssert.Contains(error, "c_37x50.png");
            var failed = System.Text.RegularExpressions.Regex.Match(error, @"training stopped at step (\d+)");
            Assert.IsTrue(failed.Success, error);
            long step = long.Parse(failed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.IsGreaterThan(1L, step, "seed 1 draws the bad image after step 1: " + error);
            Assert.AreEqual(step - 1, DitML.Training.TrainingCheckpoint.Read(Path.Combine(run, "checkpoint.safetensors")).Step, "the last completed step is saved");
            StringAssert.Contains(error, "checkpoint.safetensors");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ATornLastLogLineDoesNotBreakTheNextTrain()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-torn-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), run = Path.Combine(root, "run");
            IdxFiles.Write(data, n: 8, size: 8, classes: 2);
            var (code, _, error) = CliRunner.Run(["train", "--data", data, .. Tiny, "--steps", "2", "--out", run]);
            Assert.AreEqual(0, code, error);
            File.AppendAllText(Path.Combine(run, "log.jsonl"), "{\"step\":3,\"loss\":0.");
            (code, var output, error) = CliRunner.Run("train", "--data", data, "--out", run, "--resume", "--steps", "3");
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, "loss.png");
            var steps = File.ReadAllLines(Path.Combine(run, "log.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64());
            CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, steps.ToArray());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void InitFineTunesFromAnotherRunWithANewClassCount()
    {
        string root = Directory.CreateTempSubdirectory("ditml-cli-init-").FullName;
        try
        {
            string data = Path.Combine(root, "data"), other = Path.Combine(root, "other"), run = Path.Combine(root, "pre"), tuned = Path.Combine(root, "tuned");
            IdxFiles.Write(data, n: 8, size: 8, classes: 2);
            IdxFiles.Write(other, n: 8, size: 8, classes: 3);
            var (code, _, error) = CliRunner.Run(["train", "--data", data, .. Tiny, "--steps", "2", "--out", run]);
            Assert.AreEqual(0, code, error);
            string init = Path.Combine(run, "ema.safetensors");
            (code, var output, error) = CliRunner.Run("train", "--data", other, "--init", init, "--num-classes", "3", "--steps", "2", "--batch", "4", "--out", tuned);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, $"fine-tuning from {init}");
            StringAssert.Contains(output, "from step 0 to 2");
            using var back = DitML.Dit.DiTCheckpoint.Load(Path.Combine(tuned, "ema.safetensors"));
            Assert.AreEqual((1, 16, 3), (back.Config.Depth, back.Config.HiddenSize, back.Config.NumClasses), "the file's architecture, the new class count");
            (code, _, error) = CliRunner.Run("train", "--data", other, "--init", init, "--depth", "2", "--out", Path.Combine(root, "bad"));
            Assert.AreEqual(2, code);
            StringAssert.Contains(error, "drop --depth");
            Assert.IsFalse(Directory.Exists(Path.Combine(root, "bad")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
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
