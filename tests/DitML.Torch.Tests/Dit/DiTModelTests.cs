using DitML.Models;
using TorchSharp;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Torch.Tests.Dit;

[TestClass]
public sealed class DiTModelTests
{
    internal static DiTConfig Small(DiTConditioning conditioning = DiTConditioning.AdaLNZero, bool tmsa = false) => new()
    {
        InputSize = 8, PatchSize = 2, InChannels = 4, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 10,
        Conditioning = conditioning, TimeDependentAttention = tmsa,
    };

    public static IEnumerable<object[]> Variants =>
        from c in Enum.GetValues<DiTConditioning>()
        from tmsa in new[] { false, true }
        select new object[] { c, tmsa };

    [TestMethod]
    [DynamicData(nameof(Variants))]
    public void NewModelOutputsExactlyZero(DiTConditioning conditioning, bool tmsa)
    {
        manual_seed(1);
        using var model = new DiT(Small(conditioning, tmsa));
        model.eval();
        using var x = randn(3, 4, 8, 8);
        using var t = tensor(new long[] { 0, 500, 999 });
        using var y = tensor(new long[] { 1, 2, 10 });
        using var output = model.forward(x, t, y);
        CollectionAssert.AreEqual(new long[] { 3, 8, 8, 8 }, output.shape);
        Assert.AreEqual(0f, output.abs().max().item<float>());
    }

    [TestMethod]
    [DynamicData(nameof(Variants))]
    public void ModuleParameterCountEqualsTheAnalyticCount(DiTConditioning conditioning, bool tmsa)
    {
        var config = Small(conditioning, tmsa);
        using var model = new DiT(config);
        long counted = model.state_dict().Values.Sum(v => v.numel());
        Assert.AreEqual(DiTComplexity.Parameters(config), counted);
    }

    [TestMethod]
    public void StateDictNamesAndShapesEqualThePyTorchReference()
    {
        // s8_keys.txt: every state_dict entry of DiT-S/8 as the PyTorch reference (official layout) names it.
        var expected = File.ReadAllLines(Path.Combine("Fixtures", "dit", "s8_keys.txt")).Where(l => !l.StartsWith('#')).ToList();
        using var model = new DiT(DiTConfig.FromName("DiT-S/8"));
        var actual = model.state_dict().Select(kv => $"{kv.Key} ({string.Join(", ", kv.Value.shape)})").ToList();
        CollectionAssert.AreEquivalent(expected, actual);
    }

    [TestMethod]
    public void InitializationFollowsTheOfficialRecipe()
    {
        manual_seed(3);
        using var model = new DiT(DiTConfig.FromName("DiT-S/4", inputSize: 16));
        var sd = model.state_dict();
        Assert.AreEqual(0f, sd["blocks.0.adaLN_modulation.1.weight"].abs().max().item<float>());
        Assert.AreEqual(0f, sd["final_layer.linear.weight"].abs().max().item<float>());
        Assert.AreEqual(0f, sd["blocks.3.attn.qkv.bias"].abs().max().item<float>());
        // normal(0, 0.02) tables
        Assert.AreEqual(0.02, sd["y_embedder.embedding_table.weight"].std().item<float>(), 0.001);
        Assert.AreEqual(0.02, sd["t_embedder.mlp.0.weight"].std().item<float>(), 0.001);
        // xavier-uniform: bound sqrt(6 / (fan_in + fan_out)); the patch conv over its (D, C·p·p) view
        AssertXavier(sd["blocks.0.mlp.fc1.weight"], 384, 1536);
        AssertXavier(sd["x_embedder.proj.weight"], 4 * 4 * 4, 384);
        Assert.IsFalse(sd["pos_embed"].requires_grad, "the position embedding is fixed");
    }

    [TestMethod]
    public void ClassDropoutOnlyInTraining()
    {
        manual_seed(5);
        var config = Small() with { ClassDropoutProb = 0.5 };
        using var model = new DiT(config);
        using (no_grad()) foreach (var p in model.parameters()) p.normal_(0, 0.2);
        using var x = randn(64, 4, 8, 8);
        using var t = full(64, 10L);
        using var y = zeros(64, dtype: int64);
        using var nullY = full(64, 10L);
        model.eval();
        using var cond = model.forward(x, t, y);
        using var uncond = model.forward(x, t, nullY);
        model.train();
        using var trained = model.forward(x, t, y);
        int dropped = 0;
        for (int i = 0; i < 64; i++)
        {
            bool isUncond = trained[i].allclose(uncond[i], rtol: 0, atol: 1e-6);
            Assert.IsTrue(isUncond || trained[i].allclose(cond[i], rtol: 0, atol: 1e-6), $"row {i} is neither");
            if (isUncond) dropped++;
        }
        Assert.IsTrue(dropped is > 16 and < 48, $"{dropped}/64 labels dropped at p = 0.5");
    }

    [TestMethod]
    public void WrongInputShapesAreRefused()
    {
        using var model = new DiT(Small());
        using var x = randn(2, 3, 8, 8);
        using var t = zeros(2);
        using var y = zeros(2, dtype: int64);
        var e = Assert.ThrowsExactly<ArgumentException>(() => model.forward(x, t, y));
        StringAssert.Contains(e.Message, "(N, 4, 8, 8)");
    }

    [TestMethod]
    [DynamicData(nameof(Variants))]
    public void EveryVariantTrains(DiTConditioning conditioning, bool tmsa)
    {
        // Eight fixed images, ε-prediction at random noise levels: the loss must fall well below its start.
        manual_seed(7);
        using var model = new DiT(Small(conditioning, tmsa) with { LearnSigma = false });
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 3e-3);
        using var x0 = randn(8, 4, 8, 8);
        using var labels = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 });
        float first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            var a = rand(8, 1, 1, 1) * 0.9f + 0.05f;                        // ᾱ in (0.05, 0.95)
            var noise = randn_like(x0);
            var xt = a.sqrt() * x0 + (1 - a).sqrt() * noise;
            var t = ((1 - a.flatten()) * 999).round();
            var loss = nn.functional.mse_loss(model.forward(xt, t, labels), noise);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            if (step < 5) first += loss.item<float>() / 5;
            if (step >= 55) last += loss.item<float>() / 5;
        }
        Assert.IsTrue(last < 0.7f * first, $"{conditioning}{(tmsa ? "+TMSA" : "")}: loss {first:F3} → {last:F3}");
    }

    private static void AssertXavier(Tensor w, int fanIn, int fanOut)
    {
        double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        Assert.IsTrue(w.abs().max().item<float>() <= bound + 1e-6);
        Assert.IsTrue(w.abs().max().item<float>() > 0.95 * bound);
    }
}
