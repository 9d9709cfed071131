using System.Text.Json;
using DitML.Checkpoints;
using DitML.Models;
using DitML.Torch.Tests.Dit;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Torch.Tests.Dit;

/// <summary>Official-format checkpoints written by PyTorch load, and the forward matches PyTorch's.</summary>
[TestClass]
public sealed class DiTCheckpointTests
{
    private static string FixturePath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    private sealed record Reference(DiTConfig Config, float[] X, long[] XShape, float[] T, long[] Y, float[] Out, long[] OutShape);

    private static Reference LoadReference()
    {
        // small_io.json: inputs and the output of the PyTorch reference (tests/Fixtures/dit/dit_reference.py) for the
        // weights in small_state_dict.pt; t includes a fractional step, y the null class.
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath("dit", "small_io.json")));
        var r = doc.RootElement;
        var c = r.GetProperty("config");
        var config = new DiTConfig
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

    private static float[] Forward(DiT model, Reference r)
    {
        using var _ = no_grad();
        using var x = tensor(r.X, r.XShape);
        using var t = tensor(r.T);
        using var y = tensor(r.Y);
        using var o = model.forward(x, t, y);
        CollectionAssert.AreEqual(r.OutShape, o.shape);
        return o.data<float>().ToArray();
    }

    private static double RelativeError(float[] actual, float[] expected)
    {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxDiff / maxRef;
    }

    [TestMethod]
    public void BareStateDictForwardMatchesPyTorch()
    {
        var r = LoadReference();
        using var model = DiTCheckpoint.Load(FixturePath("dit", "small_state_dict.pt"), new DiTLoadOptions { Config = r.Config });
        double error = RelativeError(Forward(model, r), r.Out);
        Assert.IsTrue(error < 1e-5, $"relative error {error:E2}");
    }

    [TestMethod]
    public void TrainingDictLoadsEmaByDefault()
    {
        var r = LoadReference();
        using var ema = DiTCheckpoint.Load(FixturePath("dit", "small_training.pt"), new DiTLoadOptions { Config = r.Config });
        Assert.IsTrue(RelativeError(Forward(ema, r), r.Out) < 1e-5);
        using var raw = DiTCheckpoint.Load(FixturePath("dit", "small_training.pt"), new DiTLoadOptions { Config = r.Config, Weights = CheckpointWeights.Model });
        Assert.IsTrue(RelativeError(Forward(raw, r), r.Out) > 1e-2, "the raw model's weights differ from the EMA's");
    }

    [TestMethod]
    public void DitMLCheckpointCarriesItsConfig()
    {
        var r = LoadReference();
        using var model = DiTCheckpoint.Load(FixturePath("dit", "small_state_dict.pt"), new DiTLoadOptions { Config = r.Config with { Conditioning = DiTConditioning.AdaLNZero } });
        string path = Path.GetTempFileName() + ".safetensors";
        try
        {
            DiTCheckpoint.Save(path, model);
            using var back = DiTCheckpoint.Load(path);                    // no options: the config comes from the file
            Assert.AreEqual(r.Config, back.Config);
            CollectionAssert.AreEqual(Forward(model, r), Forward(back, r));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PaperSizedFileWithoutConfigIsInferredFromShapes()
    {
        manual_seed(2);
        using var model = new DiT(DiTConfig.FromName("DiT-S/8", inputSize: 16, inChannels: 4, numClasses: 7));
        string path = Path.GetTempFileName() + ".pt";
        try
        {
            PyTorchCheckpoint.Write(path, ModelStateDict.Export(model));      // official layout: no config inside
            using var back = DiTCheckpoint.Load(path);
            Assert.AreEqual(model.Config, back.Config);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void WrongShapesNameTheKeyAndBothShapesAndLoadNothing()
    {
        var r = LoadReference();
        var wide = r.Config with { HiddenSize = 64 };
        using var model = new DiT(wide);
        var before = ModelStateDict.Export(model)["blocks.0.attn.qkv.weight"].Data;
        var weights = CheckpointFile.Read(FixturePath("dit", "small_state_dict.pt")).Tensors;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelStateDict.Load(model, weights, "small_state_dict.pt"));
        StringAssert.Contains(e.Message, "'blocks.0.attn.qkv.weight': small_state_dict.pt has (96, 32), the model expects (192, 64)");
        CollectionAssert.AreEqual(before, ModelStateDict.Export(model)["blocks.0.attn.qkv.weight"].Data, "nothing half-loaded");
    }

    [TestMethod]
    public void MissingAndUnexpectedKeysAreListed()
    {
        var r = LoadReference();
        var weights = CheckpointFile.Read(FixturePath("dit", "small_state_dict.pt")).Tensors.ToDictionary();
        weights.Remove("final_layer.linear.bias");
        weights["blocks.9.extra"] = CheckpointTensor.FromFloat32([1], [0f]);
        using var model = new DiT(r.Config);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelStateDict.Load(model, weights));
        StringAssert.Contains(e.Message, "missing key 'final_layer.linear.bias'");
        StringAssert.Contains(e.Message, "unexpected key 'blocks.9.extra'");
    }

    [TestMethod]
    public void HalfPrecisionCheckpointLoads()
    {
        var r = LoadReference();
        var half = CheckpointFile.Read(FixturePath("dit", "small_state_dict.pt")).Tensors.ToDictionary(
            kv => kv.Key,
            kv => new CheckpointTensor(TensorDType.Float16, kv.Value.Shape,
                kv.Value.ToFloat32().SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray()));
        using var model = new DiT(r.Config);
        ModelStateDict.Load(model, half);
        model.eval();
        Assert.IsTrue(RelativeError(Forward(model, r), r.Out) < 1e-2, "fp16 weights give a close (not exact) output");
    }

    [TestMethod]
    public void NonDiTFileIsNamedAsSuch()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => DiTCheckpoint.Load(FixturePath("checkpoints", "dtypes.pt")));
        StringAssert.Contains(e.Message, "not a DiT checkpoint");
    }
}
