using DitML.Checkpoints;
using DitML.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Vae;

/// <summary>The TorchSharp VAE against the PyTorch reference (tests/Fixtures/vae/vae_reference.py, diffusers' layout).</summary>
[TestClass]
public sealed class AutoencoderKLTests
{
    [TestMethod]
    public void EncoderAndDecoderMatchPyTorch()
    {
        var fixture = VaeFixture.Load();
        using var model = VaeCheckpoint.Load(VaeFixture.WeightsPath, fixture.Config);
        using var _ = no_grad();
        using var x = fixture.Tensor("x", "x");
        using var posterior = model.Encode(x);
        CollectionAssert.AreEqual(fixture.Shape("latent"), posterior.Mean.shape);
        double meanErr = VaeFixture.RelativeError(fixture.Values("mean"), posterior.Mean.data<float>().ToArray());
        double logvarErr = VaeFixture.RelativeError(fixture.Values("logvar"), posterior.LogVar.data<float>().ToArray());
        using var z = fixture.Tensor("z", "z");
        using var output = model.Decode(z);
        CollectionAssert.AreEqual(fixture.Shape("out"), output.shape);
        double outErr = VaeFixture.RelativeError(fixture.Values("out"), output.data<float>().ToArray());
        Assert.IsTrue(meanErr < 1e-5 && logvarErr < 1e-5 && outErr < 1e-5, $"relative errors: mean {meanErr:E2}, logvar {logvarErr:E2}, decoder {outErr:E2}");
    }

    [TestMethod]
    public void StableDiffusionStateDictEqualsTheReference()
    {
        // sd_keys.txt: every state_dict entry of the SD config as the PyTorch reference (diffusers' names) has it.
        var lines = File.ReadAllLines(Path.Combine("Fixtures", "vae", "sd_keys.txt"));
        var expected = lines.Where(l => !l.StartsWith('#')).ToList();
        using var model = new AutoencoderKL(VaeConfig.StableDiffusion);
        var actual = model.state_dict().Select(kv => $"{kv.Key} ({string.Join(", ", kv.Value.shape)})").ToList();
        CollectionAssert.AreEquivalent(expected, actual);
        long count = model.parameters().Sum(p => p.numel());
        Assert.AreEqual(83_653_863L, count);
        Assert.AreEqual("# total 83653863", lines.Last());
    }

    [TestMethod]
    public void DeprecatedAttentionNamesLoad()
    {
        var fixture = VaeFixture.Load();
        var weights = CheckpointFile.Read(VaeFixture.WeightsPath).Tensors;
        var old = weights.ToDictionary(
            kv => kv.Key.Replace(".to_q.", ".query.").Replace(".to_k.", ".key.").Replace(".to_v.", ".value.").Replace(".to_out.0.", ".proj_attn."),
            kv => kv.Value);
        Assert.IsTrue(old.ContainsKey("encoder.mid_block.attentions.0.query.weight"));
        // The oldest layout stores the projections as 1×1 convolutions.
        var k = old["decoder.mid_block.attentions.0.key.weight"];
        old["decoder.mid_block.attentions.0.key.weight"] = new CheckpointTensor(k.DType, [k.Shape[0], k.Shape[1], 1, 1], k.Data);

        using var model = new AutoencoderKL(fixture.Config);
        VaeCheckpoint.Load(model, old, "old-names");
        model.eval();
        using var _ = no_grad();
        using var output = model.Decode(fixture.Tensor("z", "z"));
        Assert.IsTrue(VaeFixture.RelativeError(fixture.Values("out"), output.data<float>().ToArray()) < 1e-5);
    }

    [TestMethod]
    public void MissingKeyIsNamedAndNothingIsLoaded()
    {
        var fixture = VaeFixture.Load();
        var weights = CheckpointFile.Read(VaeFixture.WeightsPath).Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        weights.Remove("decoder.up_blocks.1.upsamplers.0.conv.weight");
        using var model = new AutoencoderKL(fixture.Config);
        using var before = model.state_dict()["encoder.conv_in.weight"].clone();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => VaeCheckpoint.Load(model, weights, "broken.safetensors"));
        StringAssert.Contains(error.Message, "missing key 'decoder.up_blocks.1.upsamplers.0.conv.weight'");
        StringAssert.Contains(error.Message, "broken.safetensors");
        Assert.IsTrue(before.allclose(model.state_dict()["encoder.conv_in.weight"], 0, 0), "all or nothing");
    }

    [TestMethod]
    public void ShapeMismatchNamesKeyAndShapes()
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => VaeCheckpoint.Load(VaeFixture.WeightsPath, VaeFixture.Load().Config with { BlockOutChannels = [12, 16, 16] }));
        StringAssert.Contains(error.Message, "shape mismatch for 'encoder.conv_in.weight': " + VaeFixture.WeightsPath + " has (8, 3, 3, 3), the model expects (12, 3, 3, 3)");
    }

    [TestMethod]
    public void SaveAndLoadKeepTheConfigAndWeights()
    {
        manual_seed(5);
        using var model = new AutoencoderKL(VaeConfig.Small with { ScalingFactor = 0.5 });
        string path = Path.GetTempFileName() + ".safetensors";
        try
        {
            VaeCheckpoint.Save(path, model);
            using var loaded = VaeCheckpoint.Load(path);
            Assert.AreEqual(model.Config, loaded.Config);
            foreach (var (name, value) in model.state_dict())
                Assert.IsTrue(value.allclose(loaded.state_dict()[name], 0, 0), $"{name}: {value.sum().item<float>()} vs {loaded.state_dict()[name].sum().item<float>()} {string.Join(",", value.shape)} vs {string.Join(",", loaded.state_dict()[name].shape)}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ConfigIsInferredFromStableDiffusionShapes()
    {
        using var model = new AutoencoderKL(VaeConfig.StableDiffusion with { BlockOutChannels = [32, 64, 64], LayersPerBlock = 1 });
        var inferred = VaeCheckpoint.InferConfig(ModelStateDict.Export(model));
        Assert.AreEqual(model.Config, inferred);
    }

    [TestMethod]
    public void LatentsAreScaledAndUnscaled()
    {
        var fixture = VaeFixture.Load();
        using var model = VaeCheckpoint.Load(VaeFixture.WeightsPath, fixture.Config with { ScalingFactor = 0.18215 });
        using var _ = no_grad();
        using var x = fixture.Tensor("x", "x");
        using var posterior = model.Encode(x);
        using var mode = model.EncodeLatents(x, sample: false);
        Assert.IsTrue(mode.allclose(posterior.Mean * 0.18215, rtol: 1e-6, atol: 1e-7));

        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        using var a = model.EncodeLatents(x, g1);
        using var b = model.EncodeLatents(x, g2);
        Assert.IsTrue(a.allclose(b, 0, 0), "same generator seed, same sample");
        Assert.IsFalse(a.allclose(mode), "a sample is not the mode");
        using var eps = (a / 0.18215 - posterior.Mean) / (posterior.LogVar * 0.5).exp();
        Assert.AreEqual(0, eps.mean().item<float>(), 0.25, "standardized noise looks standard");

        using var z = fixture.Tensor("z", "z");
        using var direct = model.Decode(z);
        using var viaScaled = model.DecodeLatents(z * 0.18215);
        Assert.IsTrue(direct.allclose(viaScaled, rtol: 1e-4, atol: 1e-5));
    }

    [TestMethod]
    public void KullbackLeiblerOfTheStandardNormalIsZero()
    {
        using var moments = zeros(2, 8, 3, 3);
        using var posterior = new DiagonalGaussian(moments);
        using var kl = posterior.KullbackLeibler();
        CollectionAssert.AreEqual(new float[] { 0, 0 }, kl.data<float>().ToArray());
        using var wide = full(new long[] { 1, 2, 1, 1 }, 100f);
        using var clamped = new DiagonalGaussian(wide);
        Assert.AreEqual(20f, clamped.LogVar.max().item<float>(), "log-variance clamped at 20");
    }

    [TestMethod]
    public void NewModelIsInitializedAndKeepsTheImageSize()
    {
        manual_seed(2);
        using var model = new AutoencoderKL(VaeConfig.Small);
        foreach (var (name, p) in model.named_parameters())
            Assert.IsTrue(p.isfinite().all().item<bool>(), $"{name} is not finite");   // TorchSharp leaves GroupNorm uninitialized
        Assert.AreEqual(1f, model.state_dict()["encoder.conv_norm_out.weight"].min().item<float>());
        using var _ = no_grad();
        using var x = rand(2, 3, 12, 12) * 2 - 1;
        using var latents = model.EncodeLatents(x);
        CollectionAssert.AreEqual(new long[] { 2, 4, 6, 6 }, latents.shape);
        using var y = model.DecodeLatents(latents);
        CollectionAssert.AreEqual(new long[] { 2, 3, 12, 12 }, y.shape);
        Assert.IsTrue(y.isfinite().all().item<bool>());
    }

    [TestMethod]
    public void TrainingGradientsMatchFloat64()
    {
        // Every convolution of a small VAE, backward, against the same weights in float64 (ATen's kernels): the last
        // convolutions (8 and 3 output channels) are the ones libtorch's oneDNN got wrong (DitML.Native.OneDnnConvolution).
        var config = new VaeConfig { BlockOutChannels = [16, 32], LayersPerBlock = 1, NormNumGroups = 8 };
        manual_seed(11);
        using var model = new AutoencoderKL(config);
        using var model64 = new AutoencoderKL(config);
        model64.load_state_dict(model.state_dict());
        model64.to(ScalarType.Float64);
        using var x = rand(8, 3, 8, 8) * 2 - 1;
        using var x64 = x.to(ScalarType.Float64).requires_grad_(true);
        model64.forward(x64).square().mean().backward();
        var reference = model64.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        // A floor for gradients that are zero in exact arithmetic (a key bias does not change a softmax).
        double floor = 1e-4 * reference.Values.Max(g => g.abs().max().item<double>());
        for (int run = 0; run < 5; run++)
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            var xi = x.clone().requires_grad_(true);
            model.forward(xi).square().mean().backward();
            double worst = Native.OneDnnConvolutionTests.RelativeError(xi.grad!, x64.grad!);
            string where = "input";
            foreach (var (name, p) in model.named_parameters())
            {
                double e = Native.OneDnnConvolutionTests.RelativeError(p.grad!, reference[name], floor);
                if (e > worst) (worst, where) = (e, name);
            }
            Assert.IsTrue(worst < 1e-4, $"run {run}: the gradient of {where} is off by {worst:G3} of its scale");
        }
    }
}
