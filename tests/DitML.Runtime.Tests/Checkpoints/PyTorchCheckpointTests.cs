using System.Text.Json;
using DitML.Checkpoints;

namespace DitML.Runtime.Tests.Checkpoints;

[TestClass]
public sealed class PyTorchCheckpointTests
{
    private static Dictionary<string, (long[] Shape, float[] Values)> Expected(string json)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture.Path("checkpoints", json)));
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (
            p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray(),
            p.Value.GetProperty("values").EnumerateArray().Select(x => x.GetSingle()).ToArray()));
    }

    [TestMethod]
    public void ReadsEveryDtypeViewAndStrideTorchSaveWrites()
    {
        // dtypes.pt: float32/16, bfloat16, float64, int64, a transposed (non-contiguous) tensor, two views sharing one
        // storage at offsets, and a scalar — written by torch.save (make_checkpoint_fixtures.py).
        var contents = PyTorchCheckpoint.Read(Fixture.Path("checkpoints", "dtypes.pt"));
        var expected = Expected("dtypes.json");
        CollectionAssert.AreEqual(expected.Keys.ToList(), contents.Tensors.Keys.ToList(), "file order kept");
        foreach (var (name, (shape, values)) in expected)
        {
            var t = contents.Tensors[name];
            CollectionAssert.AreEqual(shape, t.Shape, name);
            CollectionAssert.AreEqual(values, t.ToFloat32(), name);
        }
        Assert.AreEqual(TensorDType.BFloat16, contents.Tensors["bf16"].DType);
        Assert.AreEqual(TensorDType.Float16, contents.Tensors["f16"].DType);
        Assert.AreEqual(TensorDType.Int64, contents.Tensors["i64"].DType);
        Assert.IsNull(contents.SelectedEntry);
    }

    [TestMethod]
    public void TheLegacyFormatGivesWhatTheZipFormatGives()
    {
        // The same state_dict saved by PyTorch 1.13 both ways (_use_new_zipfile_serialization=False for the legacy file).
        var zip = PyTorchCheckpoint.Read(Fixture.Path("checkpoints", "dtypes.pt")).Tensors;
        var legacy = PyTorchCheckpoint.Read(Fixture.Path("checkpoints", "dtypes-legacy.pt")).Tensors;
        CollectionAssert.AreEqual(zip.Keys.ToList(), legacy.Keys.ToList());
        foreach (var (name, t) in zip)
        {
            Assert.AreEqual(t.DType, legacy[name].DType, name);
            CollectionAssert.AreEqual(t.Shape, legacy[name].Shape, name);
            CollectionAssert.AreEqual(t.Data, legacy[name].Data, name);
        }
        CollectionAssert.AreEqual(Expected("dtypes.json")["transposed"].Values, legacy["transposed"].ToFloat32());
        // The format-detecting entry point (ditml convert, FidInceptionV3.Load) takes it too.
        string legacyPath = Fixture.Path("checkpoints", "dtypes-legacy.pt");
        Assert.AreEqual(CheckpointFormat.PyTorch, CheckpointFile.DetectFormat(legacyPath));
        Assert.HasCount(zip.Count, CheckpointFile.Read(legacyPath).Tensors);
    }

    [TestMethod]
    public void ALegacyTrainingDictGivesEmaOrModelAndSkipsTheOptimizerStorages()
    {
        string path = Fixture.Path("checkpoints", "training-legacy.pt");
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture.Path("checkpoints", "training-legacy.json")));
        float[] Values(string entry, string name) => doc.RootElement.GetProperty(entry).GetProperty(name).EnumerateArray().Select(x => x.GetSingle()).ToArray();
        var ema = PyTorchCheckpoint.Read(path);
        Assert.AreEqual("ema", ema.SelectedEntry);
        CollectionAssert.AreEqual(Values("ema", "w"), ema.Tensors["w"].ToFloat32());
        CollectionAssert.AreEqual(Values("ema", "b"), ema.Tensors["b"].ToFloat32());
        var model = PyTorchCheckpoint.Read(path, CheckpointWeights.Model);
        CollectionAssert.AreEqual(Values("model", "w"), model.Tensors["w"].ToFloat32());
    }

    [TestMethod]
    public void ATruncatedLegacyFileIsAClearError()
    {
        string path = System.IO.Path.GetTempFileName();
        try
        {
            var bytes = File.ReadAllBytes(Fixture.Path("checkpoints", "dtypes-legacy.pt"));
            File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => PyTorchCheckpoint.Read(path));
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, "truncated");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TrainingDictGivesEmaByDefaultAndModelOnRequest()
    {
        string path = Fixture.Path("dit", "small_training.pt");
        var ema = PyTorchCheckpoint.Read(path);
        var bare = PyTorchCheckpoint.Read(Fixture.Path("dit", "small_state_dict.pt"));
        Assert.AreEqual("ema", ema.SelectedEntry);
        CollectionAssert.AreEqual(bare.Tensors["blocks.1.mlp.fc2.weight"].Data, ema.Tensors["blocks.1.mlp.fc2.weight"].Data);
        var model = PyTorchCheckpoint.Read(path, CheckpointWeights.Model);
        Assert.AreEqual("model", model.SelectedEntry);
        CollectionAssert.AreNotEqual(ema.Tensors["blocks.1.mlp.fc2.weight"].Data, model.Tensors["blocks.1.mlp.fc2.weight"].Data);
        Assert.AreEqual("DiT-S/2", ema.Metadata["args.model"]);
        Assert.AreEqual("64", ema.Metadata["args.image_size"]);
        Assert.AreEqual("10", ema.Metadata["args.num_classes"]);
    }

    [TestMethod]
    public void MaliciousPickleIsRefusedAndNothingRuns()
    {
        const string marker = "/tmp/ditml-pwned-by-pickle";
        File.Delete(marker);
        var e = Assert.ThrowsExactly<UnsafePickleException>(() => PyTorchCheckpoint.Read(Fixture.Path("checkpoints", "malicious.pt")));
        StringAssert.Contains(e.Message, "system");
        StringAssert.Contains(e.Message, "refusing");
        Assert.IsFalse(File.Exists(marker), "the payload must never run");
    }

    [TestMethod]
    public void TruncatedFileIsAClearError()
    {
        string source = Fixture.Path("dit", "small_state_dict.pt");
        string path = System.IO.Path.GetTempFileName();
        try
        {
            var bytes = File.ReadAllBytes(source);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => PyTorchCheckpoint.Read(path));
            StringAssert.Contains(e.Message, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void MissingFileNamesThePath()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => PyTorchCheckpoint.Read("/nonexistent/x.pt"));
        StringAssert.Contains(e.Message, "/nonexistent/x.pt");
    }

    [TestMethod]
    public void WriteThenReadRoundTrips()
    {
        var original = PyTorchCheckpoint.Read(Fixture.Path("checkpoints", "dtypes.pt")).Tensors;
        string path = System.IO.Path.GetTempFileName();
        try
        {
            PyTorchCheckpoint.Write(path, original);
            var back = PyTorchCheckpoint.Read(path).Tensors;
            CollectionAssert.AreEqual(original.Keys.ToList(), back.Keys.ToList());
            foreach (var (k, v) in original)
            {
                Assert.AreEqual(v.DType, back[k].DType, k);
                CollectionAssert.AreEqual(v.Shape, back[k].Shape, k);
                CollectionAssert.AreEqual(v.Data, back[k].Data, k);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PyTorchLoadsWhatDitMLWrites()
    {
        var original = PyTorchCheckpoint.Read(Fixture.Path("checkpoints", "dtypes.pt")).Tensors;
        string path = System.IO.Path.GetTempFileName() + ".pt";
        try
        {
            PyTorchCheckpoint.Write(path, original);
            const string script = """
                import sys, json, torch
                sd = torch.load(sys.argv[1])
                print(json.dumps({k: [str(v.dtype), list(v.shape), v.float().flatten().tolist()] for k, v in sd.items()}))
                """;
            using var doc = JsonDocument.Parse(Fixture.RunPython(script, "torch", path));
            var expected = Expected("dtypes.json");
            foreach (var (name, (shape, values)) in expected)
            {
                var entry = doc.RootElement.GetProperty(name);
                CollectionAssert.AreEqual(shape, entry[1].EnumerateArray().Select(x => x.GetInt64()).ToArray(), name);
                CollectionAssert.AreEqual(values, entry[2].EnumerateArray().Select(x => x.GetSingle()).ToArray(), name);
            }
            Assert.AreEqual("torch.bfloat16", doc.RootElement.GetProperty("bf16")[0].GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
