using DitML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Training;

[TestClass]
public sealed class FiniteGradientsTests
{
    /// <summary>Backward of w·scale summed: the gradient of w is <paramref name="scale"/> everywhere.</summary>
    private static float Backward(nn.Module model, AdamW optimizer, float scale)
    {
        optimizer.ZeroGrad();
        using var scope = NewDisposeScope();
        var w = model.parameters().First();
        var loss = (w * scale).sum();
        loss.backward();
        return scale;
    }

    [TestMethod]
    public void AStepWhoseGradientsAreNotFiniteIsComputedAgain()
    {
        using var model = nn.Linear(3, 2);
        using var optimizer = new AdamW(model);
        var scales = new Queue<float>([float.NaN, 2f]);
        int calls = 0;
        float used = FiniteGradients.Compute(optimizer, 7, onDiverged: () => Assert.Fail("not diverged"),
            () => { calls++; return Backward(model, optimizer, scales.Dequeue()); });
        Assert.AreEqual(2, calls);
        Assert.AreEqual(2f, used);
        Assert.IsTrue(optimizer.GradientsAreFinite());
        Assert.AreEqual(2f, model.parameters().First().grad!.max().item<float>(), "the gradients are the second pass's alone");
    }

    [TestMethod]
    public void GradientsThatStayNonFiniteStopTrainingAfterTheHookRuns()
    {
        using var model = nn.Linear(3, 2);
        using var optimizer = new AdamW(model);
        using var before = model.parameters().First().detach().clone();
        int calls = 0;
        bool saved = false;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => FiniteGradients.Compute(optimizer, 42, () => saved = true,
            () => { calls++; return Backward(model, optimizer, float.PositiveInfinity); }));
        Assert.AreEqual(FiniteGradients.Attempts, calls);
        Assert.IsTrue(saved, "the trainer's checkpoint hook ran before the error");
        StringAssert.Contains(error.Message, "step 42");
        Assert.IsFalse(optimizer.GradientsAreFinite());
        Assert.IsTrue(before.equal(model.parameters().First()).all().item<bool>(), "the weights are untouched");
    }
}
