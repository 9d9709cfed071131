using System.Text.Json;
using DitML.Checkpoints;
using DitML.DiffiT;
using DitML.Models;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.DiffiT;

/// <summary>Saving latent DiffiT: DitML reads its own files back bit for bit, and PyTorch loads its .pt strictly.</summary>
[TestClass]
public sealed class LatentDiffiTCheckpointTests
{
    private const string Python = "/usr/bin/python3";

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "diffit", name);

    private static string TempPath(string extension) => Path.Combine(Path.GetTempPath(), $"diffit-save-{Guid.NewGuid():N}{extension}");

    private static void AssertSameTensors(IReadOnlyDictionary<string, CheckpointTensor> expected, IReadOnlyDictionary<string, CheckpointTensor> actual)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToList(), actual.Keys.ToList());
        foreach (var (name, t) in expected)
        {
            Assert.AreEqual(t.DType, actual[name].DType, name);
            CollectionAssert.AreEqual(t.Shape, actual[name].Shape, name);
            CollectionAssert.AreEqual(t.Data, actual[name].Data, name);
        }
    }

    [TestMethod]
    [DataRow(".safetensors")]
    [DataRow(".pt")]
    public void SavedFilesHoldThePyTorchStateDictBitForBitAndLoadBack(string extension)
    {
        // small.safetensors was written by PyTorch (make_diffit_fixtures.py): a save of its weights is that dict again,
        // relative_position_index int64 included, in both formats.
        var original = CheckpointFile.Read(FixturePath("small.safetensors")).Tensors;
        string path = TempPath(extension);
        try
        {
            using (var model = LatentDiffiTCheckpoint.Load(FixturePath("small.safetensors"))) LatentDiffiTCheckpoint.Save(path, model);
            var saved = CheckpointFile.Read(path);
            AssertSameTensors(original, saved.Tensors);
            Assert.AreEqual(TensorDType.Int64, saved.Tensors["blocks.0.attn.relative_position_index"].DType);
            Assert.AreEqual(extension == ".safetensors", saved.Metadata.ContainsKey(LatentDiffiTCheckpoint.ConfigMetadataKey), "only safetensors carry the config");
            using var back = LatentDiffiTCheckpoint.Load(path);
            using var first = LatentDiffiTCheckpoint.Load(FixturePath("small.safetensors"));
            Assert.AreEqual(first.Config, back.Config);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TheConfigTravelsInSafetensorsEvenWhereShapesCannotTellIt()
    {
        // Without class dropout the label table has no null row: shapes alone would read one class too few.
        var config = new LatentDiffiTConfig { InputSize = 8, PatchSize = 4, InChannels = 1, HiddenSize = 32, Depth = 1, NumHeads = 2, NumClasses = 3, ClassDropoutProb = 0, LearnSigma = false };
        string path = TempPath(".safetensors");
        try
        {
            manual_seed(3);
            using (var model = new LatentDiffiT(config)) LatentDiffiTCheckpoint.Save(path, model);
            using var back = LatentDiffiTCheckpoint.Load(path);
            Assert.AreEqual(config, back.Config);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ConvertingThePyTorchFileToSafetensorsKeepsEveryTensorAndItsType()
    {
        string path = TempPath(".safetensors");
        try
        {
            Assert.AreEqual(CheckpointFile.Read(FixturePath("small.pt")).Tensors.Count, CheckpointFile.Convert(FixturePath("small.pt"), path));
            AssertSameTensors(CheckpointFile.Read(FixturePath("small.pt")).Tensors, CheckpointFile.Read(path).Tensors);
            using var model = LatentDiffiTCheckpoint.Load(path);
            Assert.AreEqual(ScalarType.Int64, model.state_dict()["blocks.1.attn.relative_position_index"].dtype);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PyTorchLoadsTheSavedStateDictStrictlyAndItsForwardIsTheReferences()
    {
        string path = TempPath(".pt");
        try
        {
            // The fixture's weights (a new model would output zeros) saved by DitML: PyTorch's reference loads the file
            // strictly and reproduces the reference output of small_io.json.
            int entries;
            using (var model = LatentDiffiTCheckpoint.Load(FixturePath("small.safetensors")))
            {
                LatentDiffiTCheckpoint.Save(path, model);
                entries = model.state_dict().Count;
            }
            if (!File.Exists(Python) || OnnxChecker.Run("-c", "import torch").Code != 0)
                Assert.Inconclusive("PyTorch check skipped: /usr/bin/python3 with torch is not installed (apt-get install python3-torch; .ci/run does)");
            string script = Path.Combine(RepositoryRoot(), "tests", "Fixtures", "diffit", "check_diffit_checkpoint.py");
            var (code, output) = OnnxChecker.Run(script, path, FixturePath("small_io.json"));
            Assert.AreEqual(0, code, output);
            using var report = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
            var r = report.RootElement;
            Assert.AreEqual(entries, r.GetProperty("entries").GetInt32());
            Assert.AreEqual(2, r.GetProperty("depth").GetInt32());
            Assert.IsTrue(r.GetProperty("index_int64").GetBoolean(), "every relative_position_index is int64");
            Assert.IsTrue(r.GetProperty("index_equal").GetBoolean(), "and equals the formula's");
            Assert.IsLessThan(1e-5 * r.GetProperty("max_abs_out").GetDouble(), r.GetProperty("max_abs_diff").GetDouble());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DitML.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }
}
