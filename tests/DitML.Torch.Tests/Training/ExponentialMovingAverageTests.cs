using DitML.Models;
using DitML.Torch.Tests.Dit;
using DitML.Training;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Torch.Tests.Training;

[TestClass]
public sealed class ExponentialMovingAverageTests
{
    [TestMethod]
    public void StartsAsACopyAndAveragesWithTheDecay()
    {
        manual_seed(11);
        using var model = new DiT(DiTModelTests.Small());
        using var ema = new DiT(DiTModelTests.Small());
        var average = new ExponentialMovingAverage(model, ema, decay: 0.75);
        var m = model.state_dict();
        var e = ema.state_dict();
        Assert.IsTrue(e["blocks.0.mlp.fc1.weight"].allclose(m["blocks.0.mlp.fc1.weight"], rtol: 0, atol: 0), "starts as a copy");

        using var before = m["blocks.0.mlp.fc1.weight"].clone();
        using (no_grad()) m["blocks.0.mlp.fc1.weight"].add_(1.0);
        average.Update();
        using var expected = before * 0.75 + (before + 1.0) * 0.25;
        Assert.IsTrue(e["blocks.0.mlp.fc1.weight"].allclose(expected, rtol: 0, atol: 1e-6));
        Assert.IsFalse(e["blocks.0.mlp.fc1.weight"].requires_grad);
    }

    [TestMethod]
    public void ModelsOfDifferentShapesAreRefused()
    {
        using var model = new DiT(DiTModelTests.Small());
        using var other = new DiT(DiTModelTests.Small() with { Depth = 3 });
        Assert.ThrowsExactly<ArgumentException>(() => new ExponentialMovingAverage(model, other));
    }
}
