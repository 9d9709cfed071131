using System.Text.Json;
using DitML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Training;

[TestClass]
public sealed class AdamWTests
{
    [TestMethod]
    public void MatchesPyTorchAdamW()
    {
        // adamw.json: five steps of torch.optim.AdamW(lr=1e-2, weight_decay=0.05) from PyTorch 1.13.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine("Fixtures", "training", "adamw.json")));
        var root = doc.RootElement;
        float[] Floats(JsonElement e) => e.EnumerateArray().Select(x => x.GetSingle()).ToArray();
        using var holder = new ParameterHolder(Floats(root.GetProperty("start")));
        using var opt = new AdamW(holder, new AdamWOptions { LearningRate = 1e-2, WeightDecay = 0.05 });
        var grads = root.GetProperty("grads").EnumerateArray().Select(Floats).ToArray();
        var expected = root.GetProperty("trajectory").EnumerateArray().Select(Floats).ToArray();
        for (int i = 0; i < grads.Length; i++)
        {
            holder.P.grad = tensor(grads[i]);
            opt.Update();
            var actual = holder.P.data<float>().ToArray();
            for (int j = 0; j < actual.Length; j++)
                Assert.AreEqual(expected[i][j], actual[j], 1e-6f, $"step {i + 1}, element {j}");
        }
    }

    [TestMethod]
    public void StateRoundTripContinuesIdentically()
    {
        float[] start = [0.5f, -1f, 2f];
        float[][] grads = [[1f, 2f, 3f], [-1f, 0.5f, 0f], [0.1f, 0.2f, -0.3f], [2f, -2f, 1f]];
        using var a = new ParameterHolder(start);
        using var optA = new AdamW(a, new AdamWOptions { LearningRate = 0.1 });
        for (int i = 0; i < 2; i++) { a.P.grad = tensor(grads[i]); optA.Update(); }
        var (moments, step) = optA.ExportState();

        using var b = new ParameterHolder(a.P.data<float>().ToArray());
        using var optB = new AdamW(b, new AdamWOptions { LearningRate = 0.1 });
        optB.ImportState(moments, step);
        for (int i = 2; i < 4; i++)
        {
            a.P.grad = tensor(grads[i]); optA.Update();
            b.P.grad = tensor(grads[i]); optB.Update();
        }
        CollectionAssert.AreEqual(a.P.data<float>().ToArray(), b.P.data<float>().ToArray());
    }

    [TestMethod]
    public void StateWithWrongShapeIsRefused()
    {
        using var a = new ParameterHolder([1f, 2f]);
        using var opt = new AdamW(a);
        var (moments, _) = new AdamW(new ParameterHolder([1f, 2f, 3f])).ExportState();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => opt.ImportState(moments, 3));
        StringAssert.Contains(e.Message, "exp_avg.p");
        Assert.AreEqual(0, opt.Step, "nothing changed");
    }

    [TestMethod]
    public void BadSettingsAreRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new AdamWOptions { LearningRate = 0 }.Validate());
        StringAssert.Contains(e.Message, "learning rate");
    }
}
