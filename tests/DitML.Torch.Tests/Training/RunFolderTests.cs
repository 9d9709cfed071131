using System.Text.Json;
using DitML.Data;
using DitML.Models;
using DitML.Training;

namespace DitML.Torch.Tests.Training;

/// <summary>The run folder's lock and log.jsonl across resumes.</summary>
[TestClass]
public sealed class RunFolderTests
{
    private static readonly DiTConfig Config = new() { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 16, Depth = 1, NumHeads = 2, NumClasses = 2 };

    private static InMemoryImageDataset Data() =>
        new(Enumerable.Range(0, 4 * 64).Select(i => (i % 7) / 3f - 1).ToArray(), [0, 1, 0, 1], 1, 8, 8, 2);

    private static TrainerOptions Options(long steps) => new() { Steps = steps, BatchSize = 2, LogEvery = 1, CheckpointEvery = 1000, Seed = 5 };

    private static long[] LoggedSteps(string run) =>
        File.ReadAllLines(Path.Combine(run, TrainingLog.FileName)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()).ToArray();

    private static string NewRun() => Path.Combine(Directory.CreateTempSubdirectory("ditml-runfolder-").FullName, "run");

    [TestMethod]
    public void ASecondTrainerOnABusyRunFolderIsRefusedAtOnce()
    {
        string run = NewRun();
        try
        {
            using (var first = DiTTrainer.Create(Config, Data(), Options(2), run))
            {
                // Before its first checkpoint, a second fresh run into the folder is refused by the lock.
                var e = Assert.ThrowsExactly<RunFolderLockedException>(() => DiTTrainer.Create(Config, Data(), Options(2), run));
                StringAssert.Contains(e.Message, $"process {Environment.ProcessId}");
                StringAssert.Contains(e.Message, RunFolderLock.FileName);
                first.Run();
                e = Assert.ThrowsExactly<RunFolderLockedException>(() => DiTTrainer.Resume(run, Data()));
                StringAssert.Contains(e.Message, "in use by another trainer");
            }
            Assert.IsFalse(File.Exists(Path.Combine(run, RunFolderLock.FileName)), "released and removed on dispose");
            Assert.IsFalse(File.Exists(Path.Combine(run, RunFolderLock.OwnerFileName)));
            using var second = DiTTrainer.Resume(run, Data());
            Assert.AreEqual(2, second.Step);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(run)!, recursive: true);
        }
    }

    [TestMethod]
    public void AStaleLockOfADeadProcessIsTakenOver()
    {
        string run = NewRun();
        try
        {
            Directory.CreateDirectory(run);
            // What a killed trainer leaves: the file, with its process id, but no OS lock (the OS released it).
            File.WriteAllText(Path.Combine(run, RunFolderLock.FileName), "");
            File.WriteAllText(Path.Combine(run, RunFolderLock.OwnerFileName), "2147483000");
            using var trainer = DiTTrainer.Create(Config, Data(), Options(1), run);
            Assert.AreEqual(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                File.ReadAllText(Path.Combine(run, RunFolderLock.OwnerFileName)).Trim(), "the lock now names this process");
            Assert.AreEqual(1, trainer.Run());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(run)!, recursive: true);
        }
    }

    [TestMethod]
    public void ResumeCutsTheLogBackToTheCheckpointAndSurvivesATornLine()
    {
        string run = NewRun(), straight = NewRun();
        try
        {
            using (var t = DiTTrainer.Create(Config, Data(), Options(3), run)) t.Run();
            // A run killed after logging steps 4 and 5 but before their checkpoint, mid-way through writing step 6.
            string log = Path.Combine(run, TrainingLog.FileName);
            var lines = File.ReadAllLines(log);
            File.AppendAllText(log, lines[0].Replace("\"step\":1", "\"step\":4", StringComparison.Ordinal) + "\n"
                + lines[0].Replace("\"step\":1", "\"step\":5", StringComparison.Ordinal) + "\n" + "{\"step\":6,\"lo");
            using (var t = DiTTrainer.Resume(run, Data(), steps: 5))
            {
                CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, LoggedSteps(run), "cut back to the checkpoint's step on resume");
                t.Run();
            }
            CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5 }, LoggedSteps(run), "every step once");
            using (var t = DiTTrainer.Create(Config, Data(), Options(5), straight)) t.Run();
            CollectionAssert.AreEqual(File.ReadAllLines(Path.Combine(straight, TrainingLog.FileName)).Select(Loss).ToArray(),
                File.ReadAllLines(log).Select(Loss).ToArray(), "the same losses as a straight run");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(run)!, recursive: true);
            Directory.Delete(Path.GetDirectoryName(straight)!, recursive: true);
        }
    }

    private static double Loss(string line) => JsonDocument.Parse(line).RootElement.GetProperty("loss").GetDouble();

    [TestMethod]
    public void TruncateKeepsCompleteLinesUpToTheStep()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\"step\":1}\n{\"step\":2}\n{\"step\":3}\n{\"st");
            Assert.AreEqual(3, TrainingLog.TruncateTo(path, 10));
            Assert.AreEqual("{\"step\":1}\n{\"step\":2}\n{\"step\":3}\n", File.ReadAllText(path), "the torn line is dropped");
            Assert.AreEqual(1, TrainingLog.TruncateTo(path, 1));
            Assert.AreEqual("{\"step\":1}\n", File.ReadAllText(path));
            File.WriteAllText(path, "{\"step\":1}");
            Assert.AreEqual(1, TrainingLog.TruncateTo(path, 1));
            Assert.AreEqual("{\"step\":1}\n", File.ReadAllText(path), "a complete last line without its newline gets one (the next line does not join it)");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
