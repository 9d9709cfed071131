using System.Diagnostics;
using System.Text.Json;
using DitML.Checkpoints;
using DitML.Data;
using DitML.Models;
using DitML.Training;

namespace DitML.Torch.Tests.Training;

/// <summary>A DitML run written as the official train.py's checkpoint dict, read back by DitML and by PyTorch.</summary>
[TestClass]
public sealed class OfficialTrainingCheckpointTests
{
    private const string Python = "/usr/bin/python3";

    private sealed class Noise : IImageDataset
    {
        public int Count => 8;
        public int ClassCount => 4;
        public int Channels => 1;
        public int Height => 8;
        public int Width => 8;
        public IReadOnlyList<string> ClassNames => ["0", "1", "2", "3"];
        public int GetLabel(int index) => index % 4;
        public void CopyImage(int index, Span<float> pixels)
        {
            for (int i = 0; i < 64; i++) pixels[i] = MathF.Sin(index * 7 + i * 0.37f);
        }
        public (float[] Pixels, int Label) GetItem(int index)
        {
            var p = new float[64];
            CopyImage(index, p);
            return (p, GetLabel(index));
        }
    }

    [TestMethod]
    public void ARunBecomesTheOfficialDictThatPyTorchLoads()
    {
        string root = Directory.CreateTempSubdirectory("ditml-official-").FullName;
        try
        {
            var config = new DiTConfig { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 2, NumClasses = 4 };
            var options = new TrainerOptions { Steps = 3, BatchSize = 4, LogEvery = 1, EmaDecay = 0.5, Seed = 1, Optimizer = new AdamWOptions { LearningRate = 2e-3, Beta2 = 0.99 } };
            string run = Path.Combine(root, "run");
            using (var trainer = DiTTrainer.Create(config, new Noise(), options, run)) trainer.Run();
            string pt = Path.Combine(root, "ckpt.pt");
            OfficialTrainingCheckpoint.Convert(Path.Combine(run, TrainingCheckpoint.FileName), pt);

            // DitML's own reader takes the EMA weights of an official dict by default: they are the run's EMA file.
            var ema = CheckpointFile.Read(pt, CheckpointWeights.Ema);
            var saved = CheckpointFile.Read(Path.Combine(run, TrainingCheckpoint.EmaFileName));
            Assert.AreEqual("ema", ema.SelectedEntry);
            CollectionAssert.AreEquivalent(saved.Tensors.Keys.ToList(), ema.Tensors.Keys.ToList());
            foreach (var (name, t) in saved.Tensors) CollectionAssert.AreEqual(t.Data, ema.Tensors[name].Data, name);
            Assert.AreEqual("4", ema.Metadata["args.num_classes"], "args are read back");

            if (!File.Exists(Python) || Run("-c", "import torch").Code != 0)
                Assert.Inconclusive("PyTorch check skipped: /usr/bin/python3 with torch is not installed (apt-get install python3-torch; .ci/run does)");
            string script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "dit", "check_official_checkpoint.py");
            if (!File.Exists(script)) script = Path.Combine(RepositoryRoot(), "tests", "Fixtures", "dit", "check_official_checkpoint.py");
            var (code, output) = Run(script, pt, "2");
            Assert.AreEqual(0, code, output);
            using var report = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
            var r = report.RootElement;
            Assert.IsTrue(r.GetProperty("namespace").GetBoolean(), "args is an argparse.Namespace");
            Assert.AreEqual(4, r.GetProperty("num_classes").GetInt32());
            Assert.AreEqual(4, r.GetProperty("global_batch_size").GetInt32());
            Assert.AreEqual(2e-3, r.GetProperty("lr").GetDouble(), 1e-12);
            Assert.AreEqual(0.99, r.GetProperty("betas")[1].GetDouble(), 1e-12);
            Assert.AreEqual(r.GetProperty("trainable").GetInt32(), r.GetProperty("state").GetInt32(), "a state entry per trained parameter (not the frozen pos_embed)");
            Assert.AreEqual(r.GetProperty("trainable").GetInt32() + 1, r.GetProperty("params").GetInt32());
            Assert.IsTrue(r.GetProperty("shapes_match").GetBoolean(), "each parameter's moments have its shape (same order as model.parameters())");
            Assert.AreEqual(3.0, r.GetProperty("step").GetDouble());
            Assert.IsGreaterThan(0.0, r.GetProperty("first_moment_abs_sum").GetDouble(), "the moments are the run's, not zeros");
            Assert.IsTrue(r.GetProperty("ema_pos_embed_equal").GetBoolean());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ARunContinuedThroughTheOfficialDictLogsWhatAStraightRunLogs()
    {
        string root = Directory.CreateTempSubdirectory("ditml-official-resume-").FullName;
        try
        {
            var config = new DiTConfig { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 2, NumClasses = 4 };
            TrainerOptions Options(long steps) => new() { Steps = steps, BatchSize = 4, LogEvery = 1, EmaDecay = 0.5, Seed = 5, Optimizer = new AdamWOptions { LearningRate = 2e-3, WeightDecay = 0.01 } };
            string straight = Path.Combine(root, "straight"), first = Path.Combine(root, "first"), second = Path.Combine(root, "second");
            using (var t = DiTTrainer.Create(config, new Noise(), Options(5), straight)) t.Run();
            using (var t = DiTTrainer.Create(config, new Noise(), Options(2), first)) t.Run();
            string pt = Path.Combine(root, "ckpt.pt");
            OfficialTrainingCheckpoint.Convert(Path.Combine(first, TrainingCheckpoint.FileName), pt);

            // The lr in the file wins over the caller's; batch, seed and EMA come from the caller.
            Assert.AreEqual(2L, OfficialTrainingCheckpoint.Import(pt, second, Options(5) with { Optimizer = new AdamWOptions { LearningRate = 9 } }));
            using (var t = DiTTrainer.Resume(second, new Noise(), steps: 5)) t.Run();
            static double[] Losses(string run) => File.ReadAllLines(Path.Combine(run, "log.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToArray();
            CollectionAssert.AreEqual(Losses(straight)[2..], Losses(second), "steps 3-5 after a trip through the official format");
            var a = CheckpointFile.Read(Path.Combine(straight, TrainingCheckpoint.EmaFileName)).Tensors;
            var b = CheckpointFile.Read(Path.Combine(second, TrainingCheckpoint.EmaFileName)).Tensors;
            foreach (var (name, t) in a) CollectionAssert.AreEqual(t.Data, b[name].Data, name);
            Assert.ThrowsExactly<ArgumentException>(() => OfficialTrainingCheckpoint.Import(pt, second, Options(5)), "a folder holding a run is refused");
            Assert.ThrowsExactly<InvalidDataException>(() => OfficialTrainingCheckpoint.Import(Path.Combine(AppContext.BaseDirectory, "Fixtures", "dit", "small_state_dict.pt"), Path.Combine(root, "third"), Options(5)));
            Assert.IsFalse(Directory.Exists(Path.Combine(root, "third")), "nothing written for a file that is not a training checkpoint");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ACheckpointPyTorchsAdamWWroteStartsARun()
    {
        // make_dit_fixtures.py: the official dict after one torch.optim.AdamW step of a small DiT-S/2 (lr 1e-4).
        string fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "dit", "small_training.pt");
        string run = Path.Combine(Path.GetTempPath(), $"ditml-import-{Guid.NewGuid():N}");
        try
        {
            var state = PyTorchCheckpoint.ReadOptimizerState(fixture);
            Assert.AreEqual(1L, state.Step);
            Assert.AreEqual(1e-4, state.LearningRate, 1e-15);
            Assert.AreEqual(state.ParameterCount - 1, state.Moments.Count, "every parameter but the frozen pos_embed has moments");
            // Import maps PyTorch's parameter indices to DitML's names; AdamW.ImportState checks every shape on the way.
            // Its args name DiT-S/2 but the weights are a smaller model (hidden 32, depth 2): the config is given.
            var small = new DiTConfig { InputSize = 8, PatchSize = 2, InChannels = 4, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 10 };
            Assert.AreEqual(1L, OfficialTrainingCheckpoint.Import(fixture, run, new TrainerOptions { Steps = 10, BatchSize = 2 }, config: small));
            var (config, options, step, contents) = TrainingCheckpoint.Read(Path.Combine(run, TrainingCheckpoint.FileName));
            Assert.AreEqual(small, config);
            Assert.AreEqual(1L, step);
            Assert.AreEqual(1e-4, options.Optimizer.LearningRate, 1e-15);
            var first = state.Moments[1].ExpAvg;                                 // x_embedder.proj.weight (index 0 is pos_embed)
            CollectionAssert.AreEqual(first.Data, contents.Tensors["opt.exp_avg.x_embedder.proj.weight"].Data, "the moments are PyTorch's, bit for bit");
        }
        finally
        {
            if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DitML.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("DitML.sln not found");
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + (p.ExitCode == 0 ? "" : stderr));
    }
}
