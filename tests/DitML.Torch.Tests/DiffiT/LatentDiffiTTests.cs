using System.Text.Json;
using DitML.Checkpoints;
using DitML.DiffiT;
using DitML.Models;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.DiffiT;

/// <summary>Latent DiffiT against an independent PyTorch reference written from diffit-facts.md (tests/Fixtures/diffit).</summary>
[TestClass]
public sealed class LatentDiffiTTests
{
    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "diffit", name);

    private sealed record Reference(LatentDiffiTConfig Config, float[] X, long[] XShape, float[] T, long[] Y, float[] Out, long[] OutShape);

    private static Reference LoadReference()
    {
        // small_io.json: inputs and the PyTorch reference's output for the weights in small.safetensors / small.pt;
        // t includes a fractional step, y the null class.
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath("small_io.json")));
        var r = doc.RootElement;
        var c = r.GetProperty("config");
        var config = new LatentDiffiTConfig
        {
            InputSize = c.GetProperty("input_size").GetInt32(), PatchSize = c.GetProperty("patch_size").GetInt32(),
            InChannels = c.GetProperty("in_channels").GetInt32(), HiddenSize = c.GetProperty("hidden_size").GetInt32(),
            Depth = c.GetProperty("depth").GetInt32(), NumHeads = c.GetProperty("num_heads").GetInt32(),
            NumClasses = c.GetProperty("num_classes").GetInt32(), ClassDropoutProb = c.GetProperty("class_dropout_prob").GetDouble(),
            LearnSigma = c.GetProperty("learn_sigma").GetBoolean(),
        };
        float[] F(string n) => r.GetProperty(n).EnumerateArray().Select(v => v.GetSingle()).ToArray();
        long[] L(string n) => r.GetProperty(n).EnumerateArray().Select(v => v.GetInt64()).ToArray();
        return new Reference(config, F("x"), L("x_shape"), F("t"), L("y"), F("out"), L("out_shape"));
    }

    private static double RelativeError(LatentDiffiT model, Reference r)
    {
        using var _ = no_grad();
        using var x = tensor(r.X, r.XShape);
        using var t = tensor(r.T);
        using var y = tensor(r.Y);
        using var o = model.forward(x, t, y);
        CollectionAssert.AreEqual(r.OutShape, o.shape);
        var actual = o.data<float>().ToArray();
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < r.Out.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - r.Out[i]));
            maxRef = Math.Max(maxRef, Math.Abs(r.Out[i]));
        }
        Assert.IsGreaterThan(0.1, maxRef, "the reference output is not trivial");
        return maxDiff / maxRef;
    }

    [TestMethod]
    public void SafetensorsLoadStrictlyWithTheInferredConfigAndTheForwardEqualsPyTorch()
    {
        var r = LoadReference();
        using var model = LatentDiffiTCheckpoint.Load(FixturePath("small.safetensors"));
        Assert.AreEqual(r.Config, model.Config, "config inferred from the tensor shapes");
        Assert.IsLessThan(1e-5, RelativeError(model, r));
    }

    [TestMethod]
    public void TorchSaveStateDictLoadsAndTheForwardEqualsPyTorch()
    {
        var r = LoadReference();
        using var model = LatentDiffiTCheckpoint.Load(FixturePath("small.pt"), r.Config);
        Assert.IsLessThan(1e-5, RelativeError(model, r));
        // The loaded index buffer is the reference's, bit for bit, and int64.
        var index = model.state_dict()["blocks.1.attn.relative_position_index"];
        Assert.AreEqual(ScalarType.Int64, index.dtype);
        var stored = CheckpointFile.Read(FixturePath("small.safetensors")).Tensors["blocks.1.attn.relative_position_index"];
        Assert.AreEqual(TensorDType.Int64, stored.DType);
        CollectionAssert.AreEqual(stored.ToFloat32(), index.to_type(ScalarType.Float32).data<float>().ToArray());
    }

    [TestMethod]
    public void AMismatchingStateDictGivesOneErrorListingEveryProblem()
    {
        // What a user gets loading a DitML `--tmsa` DiT-style file or a cut-down export: a missing index buffer, an
        // unexpected qkv_t, and a table of the wrong head count, all in one message, and no file half-read.
        var tensors = CheckpointFile.Read(FixturePath("small.safetensors")).Tensors.ToDictionary();
        tensors.Remove("blocks.0.attn.relative_position_index");
        tensors["blocks.0.attn.qkv_t.weight"] = CheckpointTensor.FromFloat32([192, 64], new float[192 * 64]);
        tensors["blocks.1.attn.relative_position_bias_table"] = CheckpointTensor.FromFloat32([49, 8], new float[49 * 8]);
        string path = Path.Combine(Path.GetTempPath(), $"diffit-mismatch-{Guid.NewGuid():N}.safetensors");
        try
        {
            CheckpointFile.Write(path, tensors);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => LatentDiffiTCheckpoint.Load(path, LoadReference().Config));
            StringAssert.Contains(e.Message, "3 problem(s)");
            StringAssert.Contains(e.Message, "missing key 'blocks.0.attn.relative_position_index' (expected shape (16, 16))");
            StringAssert.Contains(e.Message, "unexpected key 'blocks.0.attn.qkv_t.weight' (shape (192, 64))");
            StringAssert.Contains(e.Message, "'blocks.1.attn.relative_position_bias_table': " + path + " has (49, 8), the model expects (49, 4)");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TheLoadedIndexBufferIsTheOneAttentionUses()
    {
        // As in the release, the bias is gathered through the stored relative_position_index, not a recomputed one: a
        // file whose index points every pair at one table row loads, and its forward leaves the reference's.
        var r = LoadReference();
        var tensors = CheckpointFile.Read(FixturePath("small.safetensors")).Tensors.ToDictionary();
        var index = tensors["blocks.0.attn.relative_position_index"];
        tensors["blocks.0.attn.relative_position_index"] = new CheckpointTensor(TensorDType.Int64, index.Shape, new byte[index.Data.Length]);
        string path = Path.Combine(Path.GetTempPath(), $"diffit-index-{Guid.NewGuid():N}.safetensors");
        try
        {
            CheckpointFile.Write(path, tensors);
            using var model = LatentDiffiTCheckpoint.Load(path);
            Assert.AreEqual(0L, model.state_dict()["blocks.0.attn.relative_position_index"].abs().max().item<long>());
            Assert.IsGreaterThan(1e-3, RelativeError(model, r));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ADiTCheckpointIsRefusedNamingWhatIsMissing()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => LatentDiffiTCheckpoint.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "dit", "small_state_dict.pt")));
        StringAssert.Contains(e.Message, "not a latent DiffiT checkpoint: it has no 'blocks.0.attn.relative_position_bias_table'");
    }

    [TestMethod]
    public void StateDictNamesDtypesAndShapesEqualThePyTorchReference()
    {
        // s8_keys.txt: every state_dict entry of DiffiT-S/8 (name, dtype, shape) as the PyTorch reference has it.
        var expected = File.ReadAllLines(FixturePath("s8_keys.txt")).Where(l => !l.StartsWith('#')).ToList();
        using var model = new LatentDiffiT(LatentDiffiTConfig.FromName("DiffiT-S/8"));
        var actual = model.state_dict().Select(kv =>
            $"{kv.Key} {(kv.Value.dtype == ScalarType.Int64 ? "int64" : "float32")} ({string.Join(", ", kv.Value.shape)})").ToList();
        CollectionAssert.AreEquivalent(expected, actual);
    }

    [TestMethod]
    public void AllocatedParametersEqualTheAnalyticCount()
    {
        var config = LatentDiffiTConfig.FromName("DiffiT-S/8");
        using var model = new LatentDiffiT(config);
        Assert.AreEqual(LatentDiffiTComplexity.Parameters(config), model.parameters().Sum(p => p.numel()));
        Assert.AreEqual(LatentDiffiTComplexity.Trainable(config), model.parameters().Where(p => p.requires_grad).Sum(p => p.numel()));
    }

    [TestMethod]
    public void InitializationFollowsTheRelease()
    {
        manual_seed(3);
        using var model = new LatentDiffiT(LatentDiffiTConfig.FromName("DiffiT-S/4", inputSize: 16));
        var sd = model.state_dict();
        Assert.AreEqual(0f, sd["final_layer.linear.weight"].abs().max().item<float>());
        Assert.AreEqual(0f, sd["final_layer.linear.bias"].abs().max().item<float>());
        Assert.AreEqual(0f, sd["blocks.2.attn.qkv_temb.bias"].abs().max().item<float>());
        // attention is not zero-initialized: qkv, qkv_temb and proj are xavier-uniform like the MLP
        AssertXavier(sd["blocks.0.attn.qkv_temb.weight"], 384, 3 * 384);
        AssertXavier(sd["blocks.0.attn.proj.weight"], 384, 384);
        AssertXavier(sd["blocks.0.mlp.fc1.weight"], 384, 1536);
        AssertXavier(sd["x_embedder.proj.weight"], 4 * 4 * 4, 384);
        Assert.AreEqual(0.02, sd["y_embedder.embedding_table.weight"].std().item<float>(), 0.001);
        Assert.AreEqual(0.02, sd["t_embedder.mlp.2.weight"].std().item<float>(), 0.001);
        var table = sd["blocks.5.attn.relative_position_bias_table"];                 // (49, 6), truncated normal std 0.02
        Assert.AreEqual(0.02, table.std().item<float>(), 0.005);
        Assert.IsLessThan(0.1f, table.abs().max().item<float>());
        Assert.IsFalse(sd["pos_embed"].requires_grad, "the position embedding is fixed");

        using var x = randn(2, 4, 16, 16);
        using var t = tensor(new[] { 3L, 900L });
        using var y = tensor(new[] { 1L, 1000L });
        using var _ = no_grad();
        using var o = model.forward(x, t, y);
        CollectionAssert.AreEqual(new long[] { 2, 8, 16, 16 }, o.shape);
        Assert.AreEqual(0f, o.abs().max().item<float>(), "a new model outputs exactly 0");
    }

    [TestMethod]
    public void TimeAndLabelChangeTheOutputOnlyThroughTheTimeToken()
    {
        var r = LoadReference();
        using var model = LatentDiffiTCheckpoint.Load(FixturePath("small.safetensors"));
        using var _ = no_grad();
        using var x = randn(1, 4, 8, 8);
        using var a = model.forward(x, tensor(new[] { 10f }), tensor(new[] { 2L }));
        using var b = model.forward(x, tensor(new[] { 900f }), tensor(new[] { 2L }));
        using var c = model.forward(x, tensor(new[] { 10f }), tensor(new[] { 5L }));
        Assert.IsFalse(a.allclose(b, rtol: 0, atol: 1e-4), "the step matters");
        Assert.IsFalse(a.allclose(c, rtol: 0, atol: 1e-4), "the label matters");
        Assert.AreEqual(r.Config.NumClasses + 1, model.Config.LabelTableSize);
    }

    [TestMethod]
    public void WrongInputShapesAreRefused()
    {
        using var model = new LatentDiffiT(LoadReference().Config);
        using var x = randn(2, 3, 8, 8);
        using var t = zeros(2);
        using var y = zeros(2, dtype: int64);
        var e = Assert.ThrowsExactly<ArgumentException>(() => model.forward(x, t, y));
        StringAssert.Contains(e.Message, "(N, 4, 8, 8)");
    }

    private static void AssertXavier(Tensor w, int fanIn, int fanOut)
    {
        double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        Assert.IsLessThanOrEqualTo(bound + 1e-6, w.abs().max().item<float>());
        Assert.AreEqual(bound / Math.Sqrt(3), w.std().item<float>(), bound * 0.05);
    }
}
