using DitML.Data;
using DitML.Models;
using DitML.Training;

namespace DitML.Torch.Tests.Training;

/// <summary>Resume semantics, hyperparameter checks and no lost work on failure.</summary>
[TestClass]
public sealed class DiTTrainerResumeTests
{
    /// <summary>Eight 1×8×8 images of 4 classes; item <see cref="BadItem"/> fails (or is NaN) when read.</summary>
    private sealed class Bands(int badItem = -1, bool nan = false) : IImageDataset
    {
        public int BadItem => badItem;
        public int Count => 8;
        public int ClassCount => 4;
        public int Channels => 1;
        public int Height => 8;
        public int Width => 8;

        public IReadOnlyList<string> ClassNames => ["0", "1", "2", "3"];

        public int GetLabel(int index) => index % 4;

        public void CopyImage(int index, Span<float> pixels)
        {
            if (index == badItem && !nan) throw new InvalidDataException($"Image file 'bad{index}.png' is not a readable PNG/JPEG/BMP/WebP image");
            for (int i = 0; i < 64; i++) pixels[i] = index == badItem ? float.NaN : i / 8 / 2 == GetLabel(index) ? 1f : -1f;
        }

        public (float[] Pixels, int Label) GetItem(int index)
        {
            var pixels = new float[64];
            CopyImage(index, pixels);
            return (pixels, GetLabel(index));
        }
    }

    private static readonly DiTConfig Config = new() { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 4 };

    private static TrainerOptions Options(long steps) => new()
    {
        Steps = steps, BatchSize = 4, LogEvery = 1, CheckpointEvery = 1000, EmaDecay = 0.9, Seed = 3,
        Optimizer = new AdamWOptions { LearningRate = 1e-3 },
    };

    private static long StoredStep(string run) => TrainingCheckpoint.Read(Path.Combine(run, TrainingCheckpoint.FileName)).Step;

    private static string NewRun() => Path.Combine(Directory.CreateTempSubdirectory("ditml-resume-").FullName, "run");

    private static void Clean(string run) => Directory.Delete(Path.GetDirectoryName(run)!, recursive: true);

    [TestMethod]
    public void ResumeWithoutStepsContinuesTowardTheStoredTarget()
    {
        string run = NewRun();
        try
        {
            using (var t = DiTTrainer.Create(Config, new Bands(), Options(4), run))
                t.Run(new Progress<TrainingProgress>(), new CancellationTokenSource(0).Token);          // cancelled at once: step 0
            using (var t = DiTTrainer.Resume(run, new Bands()))
            {
                Assert.AreEqual(4, t.Options.Steps, "the stored target, not a default");
                Assert.AreEqual(4, t.Run());
            }
            using (var t = DiTTrainer.Resume(run, new Bands(), new ResumeOptions { Steps = 6 }))
            {
                Assert.AreEqual(4, t.StoredTarget);
                Assert.AreEqual(6, t.Options.Steps);
            }
            Assert.AreEqual(4, TrainingCheckpoint.Read(Path.Combine(run, TrainingCheckpoint.FileName)).Options.Steps, "opening with --steps saves nothing yet");
        }
        finally
        {
            Clean(run);
        }
    }

    [TestMethod]
    public void ResumeRefusesEachDifferingSettingUnlessOverridden()
    {
        string run = NewRun();
        try
        {
            using (var t = DiTTrainer.Create(Config, new Bands(), Options(1), run)) t.Run();
            var asked = new ResumeOptions { Depth = 3, LearningRate = 0.5, BatchSize = 2, EmaDecay = 0.9, Seed = 3 };
            var e = Assert.ThrowsExactly<ArgumentException>(() => DiTTrainer.Resume(run, new Bands(), asked));
            StringAssert.Contains(e.Message, "depth: stored 2, asked 3");
            StringAssert.Contains(e.Message, "lr: stored 0.001, asked 0.5");
            StringAssert.Contains(e.Message, "batch: stored 4, asked 2");
            Assert.DoesNotContain("ema", e.Message, "equal settings are not differences");

            e = Assert.ThrowsExactly<ArgumentException>(() => DiTTrainer.Resume(run, new Bands(), asked with { Depth = null, Overrides = new HashSet<string> { "lr" } }));
            StringAssert.Contains(e.Message, "batch");
            Assert.DoesNotContain("lr:", e.Message);

            using (var ok = DiTTrainer.Resume(run, new Bands(), asked with { Depth = null, Steps = 2, Overrides = new HashSet<string> { "lr", "batch" } }))
            {
                Assert.AreEqual((0.5, 2), (ok.Options.Optimizer.LearningRate, ok.Options.BatchSize));
                Assert.AreEqual(2, ok.Run(), "trains on with the new settings");
            }

            e = Assert.ThrowsExactly<ArgumentException>(() => DiTTrainer.Resume(run, new Bands(), new ResumeOptions { Overrides = new HashSet<string> { "depth" } }));
            StringAssert.Contains(e.Message, "--override depth");
        }
        finally
        {
            Clean(run);
        }
    }

    [TestMethod]
    public void AnInterruptedScheduledRunResumesOnItsScheduleAndLogsTheRate()
    {
        string straight = NewRun(), split = NewRun();
        try
        {
            var options = Options(6) with
            {
                Schedule = new LearningRateSchedule { WarmupSteps = 2, Decay = LearningRateDecay.Cosine, DecayStartStep = 3, FinalFraction = 0.1 },
            };
            using (var t = DiTTrainer.Create(Config, new Bands(), options, straight)) t.Run();
            using var stop = new CancellationTokenSource();
            using (var t = DiTTrainer.Create(Config, new Bands(), options, split))
                Assert.AreEqual(3, t.Run(new OnStep(p => { if (p.Step == 3) stop.Cancel(); }), stop.Token));
            using (var t = DiTTrainer.Resume(split, new Bands())) Assert.AreEqual(6, t.Run());

            var lines = File.ReadAllLines(Path.Combine(split, TrainingLog.FileName)).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
            Assert.HasCount(6, lines);
            for (int i = 0; i < 6; i++)
                Assert.AreEqual(options.LearningRateAt(i), lines[i].GetProperty("lr").GetDouble(), 1e-15, $"the rate of step {i} is logged");
            Assert.AreEqual(1e-3 / 2, lines[0].GetProperty("lr").GetDouble(), 1e-15, "warm-up: half the rate at the first of two steps");
            CollectionAssert.AreEqual(File.ReadAllLines(Path.Combine(straight, TrainingLog.FileName)).Select(Loss).ToList(),
                lines.Select(l => l.GetProperty("loss").GetDouble()).ToList(), "the same losses as the straight run");

            var e = Assert.ThrowsExactly<ArgumentException>(() => DiTTrainer.Resume(split, new Bands(), new ResumeOptions { Steps = 8, Decay = LearningRateDecay.Linear }));
            StringAssert.Contains(e.Message, "lr-decay: stored cosine, asked linear");
            using var changed = DiTTrainer.Resume(split, new Bands(), new ResumeOptions { Steps = 8, Decay = LearningRateDecay.Linear, Overrides = new HashSet<string> { "lr" } });
            Assert.AreEqual(LearningRateDecay.Linear, changed.Options.Schedule.Decay);
            Assert.AreEqual(2, changed.Options.Schedule.WarmupSteps, "the rest of the stored schedule is kept");
        }
        finally
        {
            Clean(straight);
            Clean(split);
        }
    }

    private static double Loss(string line) => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("loss").GetDouble();

    [TestMethod]
    public void ResumeOnOtherDataIsRefusedUnlessOverridden()
    {
        string run = NewRun();
        try
        {
            using (var t = DiTTrainer.Create(Config, new Bands(), Options(1), run)) t.Run();
            var other = new InMemoryImageDataset(new float[4 * 64], Enumerable.Range(0, 4).ToArray(), 1, 8, 8, 4);
            var e = Assert.ThrowsExactly<ArgumentException>(() => DiTTrainer.Resume(run, other));
            StringAssert.Contains(e.Message, "data: the run trained on 8 images");
            using var ok = DiTTrainer.Resume(run, other, new ResumeOptions { Overrides = new HashSet<string> { "data" } });
            Assert.AreEqual(1, ok.Step);
        }
        finally
        {
            Clean(run);
        }
    }

    [TestMethod]
    [DataRow(double.NaN, 1e-3, null)]
    [DataRow(0.9, double.PositiveInfinity, null)]
    [DataRow(0.9, double.NaN, null)]
    [DataRow(0.9, 1e-3, double.NaN)]
    [DataRow(0.9, 1e-3, double.PositiveInfinity)]
    public void NonFiniteHyperparametersAreRefusedBeforeARunFolderExists(double ema, double lr, double? clip)
    {
        string run = NewRun();
        try
        {
            var options = Options(1) with { EmaDecay = ema, GradientClip = clip, Optimizer = new AdamWOptions { LearningRate = lr } };
            Assert.ThrowsExactly<ArgumentException>(() => DiTTrainer.Create(Config, new Bands(), options, run));
            Assert.IsFalse(Directory.Exists(run), "no run folder");
            Assert.ThrowsExactly<ArgumentException>(() => DiTTrainer.Create(Config with { InputSize = 16 }, new Bands(), Options(1), run));
            Assert.IsFalse(Directory.Exists(run), "no run folder for data that does not fit either");
        }
        finally
        {
            Clean(run);
        }
    }

    /// <summary>The first step (1-based) whose batch holds <paramref name="item"/>.</summary>
    private static long FirstStepWith(int item)
    {
        var schedule = new BatchSchedule(8, Options(1).Seed);
        var indices = new int[2];
        for (long s = 0; ; s++)
        {
            schedule.Indices(s, indices);
            if (indices.Contains(item)) return s + 1;
        }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void AFailedStepWritesTheCheckpointOfTheLastCompletedStep(bool nan)
    {
        // Batches of 2 of 8 items: 4 steps an epoch; the bad item is one first drawn after step 2, so there is work to lose.
        int bad = Enumerable.Range(0, 8).First(i => FirstStepWith(i) > 2);
        long failing = FirstStepWith(bad);
        string run = NewRun();
        try
        {
            TrainingFailedException e;
            using (var t = DiTTrainer.Create(Config, new Bands(bad, nan), Options(100) with { BatchSize = 2 }, run))
                e = Assert.ThrowsExactly<TrainingFailedException>(() => t.Run());
            Assert.AreEqual((failing, failing - 1), (e.FailedStep, e.SavedStep));
            Assert.AreEqual(failing - 1, StoredStep(run), "the last completed step is saved");
            StringAssert.Contains(e.Message, $"step {failing}");
            StringAssert.Contains(e.Message, nan ? "not finite" : $"bad{bad}.png");
            StringAssert.Contains(e.Message, TrainingCheckpoint.FileName);
            Assert.IsInstanceOfType(e.InnerException, nan ? typeof(InvalidOperationException) : typeof(InvalidDataException));
            using var back = DiTTrainer.Resume(run, new Bands());
            Assert.AreEqual(failing - 1, back.Step);
        }
        finally
        {
            Clean(run);
        }
    }

    /// <summary>Calls back synchronously on the training thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class OnStep(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }

    [TestMethod]
    public void AFailedPeriodicCheckpointKeepsThePreviousOneAndSaysWhich()
    {
        string run = NewRun();
        try
        {
            // "The disk is full" from step 4 on: the checkpoint's temporary file cannot be created.
            var blocked = new OnStep(p => { if (p.Step == 3) Directory.CreateDirectory(Path.Combine(run, TrainingCheckpoint.FileName + ".partial")); });
            TrainingFailedException e;
            using (var t = DiTTrainer.Create(Config, new Bands(), Options(10) with { CheckpointEvery = 2 }, run))
                e = Assert.ThrowsExactly<TrainingFailedException>(() => t.Run(blocked));
            Assert.AreEqual((4L, 2L), (e.FailedStep, e.SavedStep));
            StringAssert.Contains(e.Message, "the checkpoint of step 2 is in");
            Assert.AreEqual(2, StoredStep(run), "the previous checkpoint is intact");
        }
        finally
        {
            Clean(run);
        }
    }
}
