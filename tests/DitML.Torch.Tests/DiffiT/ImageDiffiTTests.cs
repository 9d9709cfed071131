using System.Globalization;
using System.Text.Json;
using DitML.Checkpoints;
using DitML.DiffiT;
using DitML.Diffusion;
using DitML.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.DiffiT;

/// <summary>
/// Image-space DiffiT and EDM's preconditioning and loss against an independent PyTorch re-implementation written from
/// the paper (tests/Fixtures/diffit/image_diffit_reference.py).
/// </summary>
[TestClass]
public sealed class ImageDiffiTTests
{
    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "diffit", name);

    internal sealed record Reference(ImageDiffiTConfig Config, float[] X, long[] XShape, float[] Sigma, long[] Y, float[] UnitNoise, float[] F, float[] D, double Loss, long Parameters);

    internal static Reference LoadReference()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath("image_small_io.json")));
        var r = doc.RootElement;
        float[] Fl(string n) => r.GetProperty(n).EnumerateArray().Select(v => v.GetSingle()).ToArray();
        long[] L(string n) => r.GetProperty(n).EnumerateArray().Select(v => v.GetInt64()).ToArray();
        return new Reference(ImageDiffiTConfig.FromJson(r.GetProperty("config").GetRawText()), Fl("x"), L("x_shape"), Fl("sigma"), L("y"),
            Fl("unit_noise"), Fl("f"), Fl("d"), r.GetProperty("loss").GetDouble(), r.GetProperty("parameters").GetInt64());
    }

    /// <summary>The tiny reference model with the PyTorch weights of image_small.pt, strictly loaded.</summary>
    internal static ImageDiffiT LoadReferenceModel(Reference r)
    {
        var model = new ImageDiffiT(r.Config);
        ModelStateDict.Load(model, CheckpointFile.Read(FixturePath("image_small.pt")).Tensors, "image_small.pt");
        model.eval();
        return model;
    }

    internal static double RelativeError(float[] actual, float[] expected)
    {
        Assert.HasCount(expected.Length, actual);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        Assert.IsGreaterThan(0.1, maxRef, "the reference output is not trivial");
        return maxDiff / maxRef;
    }

    [TestMethod]
    public void TheNetworkAndTheEdmDenoiserEqualPyTorch()
    {
        var r = LoadReference();
        using var model = LoadReferenceModel(r);
        Assert.AreEqual(r.Parameters, model.parameters().Sum(p => p.numel()));
        Assert.AreEqual(r.Parameters, ImageDiffiTComplexity.Parameters(r.Config));
        using var _ = no_grad();
        using var x = tensor(r.X, r.XShape);
        using var sigma = tensor(r.Sigma);
        using var y = tensor(r.Y);
        using var quarter = 0.25.ToScalar();
        using var noiseLabel = sigma.log().mul(quarter);
        using var f = model.forward(x, noiseLabel, y);
        CollectionAssert.AreEqual(r.XShape, f.shape);
        Assert.IsLessThan(1e-5, RelativeError(f.data<float>().ToArray(), r.F), "F(x, c_noise, y)");

        using var denoiser = new EdmDenoiser(model);
        using var d = denoiser.forward(x, sigma, y);
        Assert.IsLessThan(1e-5, RelativeError(d.data<float>().ToArray(), r.D), "D(x; σ, y) with EDM's preconditioning");
    }

    [TestMethod]
    public void TheEdmLossAtGivenSigmaAndNoiseEqualsPyTorch()
    {
        var r = LoadReference();
        using var model = LoadReferenceModel(r);
        using var denoiser = new EdmDenoiser(model);
        using var _ = no_grad();
        using var x = tensor(r.X, r.XShape);
        using var loss = EdmLoss.Compute(denoiser, x, tensor(r.Y), tensor(r.Sigma), tensor(r.UnitNoise, r.XShape));
        Assert.AreEqual(r.Loss, loss.item<float>(), 1e-5 * r.Loss);
    }

    [TestMethod]
    public void Cifar10StateDictHasThePyTorchReferencesNamesAndShapes()
    {
        // image_cifar10_keys.txt: every state_dict entry of the reference's DiffiT-CIFAR10, in order, and its parameter total.
        var lines = File.ReadAllLines(FixturePath("image_cifar10_keys.txt"));
        using var model = new ImageDiffiT(ImageDiffiTConfig.Cifar10);
        var actual = model.state_dict().Select(kv => $"{kv.Key} ({string.Join(", ", kv.Value.shape)}{(kv.Value.shape.Length == 1 ? "," : "")})").ToArray();
        var expected = lines.Where(l => !l.StartsWith('#')).ToArray();
        CollectionAssert.AreEquivalent(expected, actual);
        long total = long.Parse(lines[^1].Split(' ')[^1], CultureInfo.InvariantCulture);
        Assert.AreEqual(total, model.parameters().Sum(p => p.numel()));
        Assert.AreEqual(total, ImageDiffiTComplexity.Parameters(ImageDiffiTConfig.Cifar10));
        Assert.AreEqual(ScalarType.Int64, model.state_dict()["encoder.0.0.attn.relative_position_index"].dtype);
    }

    [TestMethod]
    public void ANewModelOutputsZeroSoTheDenoiserStartsAsTheSkip()
    {
        manual_seed(1);
        var config = new ImageDiffiTConfig { ImageSize = 8, InChannels = 1, StageChannels = [8, 8], BlocksPerStage = [1, 1], WindowSize = 4, HeadDim = 4, GroupNormGroups = 2, TimeEmbedDim = 8 };
        using var model = new ImageDiffiT(config);
        using var denoiser = new EdmDenoiser(model);
        using var _ = no_grad();
        using var x = randn(2, 1, 8, 8);
        using var sigma = tensor(new[] { 0.5f, 2f });
        using var y = zeros(2, ScalarType.Int64);
        using var f = model.forward(x, sigma, y);
        Assert.AreEqual(0f, f.abs().max().item<float>());
        using var d = denoiser.forward(x, sigma, y);
        using var expected = x * tensor(new[] { 0.5f, 0.25f / 4.25f }).view(2, 1, 1, 1);  // c_skip = σ_d²/(σ² + σ_d²)
        Assert.IsLessThan(1e-6f, (d - expected).abs().max().item<float>());
    }

    [TestMethod]
    public void EveryParameterOfNewModelsIsInitialized()
    {
        // TorchSharp 0.107's nn.GroupNorm leaves its affine parameters as uninitialized memory (NaN in some builds).
        for (int seed = 0; seed < 5; seed++)
        {
            manual_seed(seed);
            using var model = new ImageDiffiT(new ImageDiffiTConfig { ImageSize = 8, InChannels = 1, StageChannels = [8, 16], BlocksPerStage = [1, 1], WindowSize = 4, HeadDim = 4, GroupNormGroups = 4, TimeEmbedDim = 16 });
            foreach (var (name, p) in model.named_parameters())
            {
                Assert.IsTrue(p.isfinite().all().item<bool>(), name);
                if (name.EndsWith("norm.weight", StringComparison.Ordinal)) Assert.AreEqual(1f, p.min().item<float>(), name);
                if (name.EndsWith("norm.bias", StringComparison.Ordinal)) Assert.AreEqual(0f, p.abs().max().item<float>(), name);
            }
        }
    }

    [TestMethod]
    public void WindowsDoNotExchangeInformation()
    {
        // Without shift or cross-window exchange, changing one window's input changes only that window's TMSA output.
        manual_seed(2);
        using var attention = new WindowAttention(8, 2, 2, 4);
        using var _ = no_grad();
        using var h = randn(1, 4, 4, 8);                                        // (N, H, W, C): four 2×2 windows
        using var c = randn(1, 4);
        using var before = attention.forward(h, c);
        using var changed = h.clone();
        changed[0, 0, 0] = randn(8);                                           // inside the top-left window
        using var after = attention.forward(changed, c);
        using var diff = (after - before).abs().sum(-1);                         // (1, 4, 4)
        Assert.IsGreaterThan(1e-4f, diff[0, ..2, ..2].sum().item<float>(), "the changed window's output changes");
        Assert.AreEqual(0f, diff[0, 2.., ..].sum().item<float>() + diff[0, ..2, 2..].sum().item<float>(), "the other windows' do not");
    }

    [TestMethod]
    public void WrongInputShapesAreRefusedWithTheExpectedShape()
    {
        var config = new ImageDiffiTConfig { ImageSize = 8, InChannels = 1, StageChannels = [8], BlocksPerStage = [1], WindowSize = 4, HeadDim = 4, GroupNormGroups = 2, TimeEmbedDim = 8, NumClasses = 2 };
        using var model = new ImageDiffiT(config);
        var e = Assert.ThrowsExactly<ArgumentException>(() => model.forward(zeros(1, 1, 16, 16), zeros(1), zeros(1, ScalarType.Int64)));
        StringAssert.Contains(e.Message, "(N, 1, 8, 8)");
    }
}
