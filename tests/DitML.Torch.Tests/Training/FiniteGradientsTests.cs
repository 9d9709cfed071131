using DitML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Training;

[TestClass]
public sealed class FiniteGradientsTests
{
    /// <summary>Backward of w·scale summed: the gradient of w is <paramref name="scale"/> everywhere.</summary>
    private static void Backward(nn.Module model, AdamW optimizer, float scale)
    {
        optimizer.ZeroGrad();
        using var scope = NewDisposeScope();
        var w = model.parameters().First();
        (w * scale).sum().backward();
    }

    [TestMethod]
    public void FiniteGradientsPassWithoutTheHook()
    {
        using var model = nn.Linear(3, 2);
        using var optimizer = new AdamW(model);
        Backward(model, optimizer, 2f);
        FiniteGradients.Check(optimizer, 7, onDiverged: () => Assert.Fail("not diverged"));
        Assert.IsTrue(optimizer.GradientsAreFinite());
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    public void NonFiniteGradientsStopTrainingAfterTheHookRuns(float scale)
    {
        using var model = nn.Linear(3, 2);
        using var optimizer = new AdamW(model);
        using var before = model.parameters().First().detach().clone();
        bool saved = false;
        Backward(model, optimizer, scale);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => FiniteGradients.Check(optimizer, 42, () => saved = true));
        Assert.IsTrue(saved, "the trainer's checkpoint hook ran before the error");
        StringAssert.Contains(error.Message, "step 42");
        Assert.IsFalse(optimizer.GradientsAreFinite());
        Assert.IsTrue(before.equal(model.parameters().First()).all().item<bool>(), "the weights are untouched");
    }
}
