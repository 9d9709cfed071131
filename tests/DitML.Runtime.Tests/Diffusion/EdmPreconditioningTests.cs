using System.Text.Json;
using DitML.Diffusion;

namespace DitML.Runtime.Tests.Diffusion;

/// <summary>EDM's preconditioning, loss weight and σ spacing against tests/Fixtures/edm/edm_reference.py.</summary>
[TestClass]
public sealed class EdmPreconditioningTests
{
    private static JsonElement Root() => JsonDocument.Parse(File.ReadAllText(Fixture.Path("edm", "edm.json"))).RootElement;

    private static double[] Doubles(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    [TestMethod]
    public void CoefficientsEqualTheReference()
    {
        var r = Root();
        double sd = r.GetProperty("sigma_data").GetDouble();
        Assert.AreEqual(new EdmSettings().SigmaData, sd);
        var sigmas = Doubles(r, "sigmas");
        var expected = new (string Name, Func<double, double> F)[]
        {
            ("c_skip", s => EdmPreconditioning.CSkip(s, sd)), ("c_out", s => EdmPreconditioning.COut(s, sd)),
            ("c_in", s => EdmPreconditioning.CIn(s, sd)), ("c_noise", EdmPreconditioning.CNoise),
            ("loss_weight", s => EdmPreconditioning.LossWeight(s, sd)),
        };
        foreach (var (name, f) in expected)
        {
            var values = Doubles(r, name);
            for (int i = 0; i < sigmas.Length; i++)
                Assert.AreEqual(values[i], f(sigmas[i]), 1e-12 * Math.Max(1, Math.Abs(values[i])), $"{name}({sigmas[i]})");
        }
        // The weight makes c_out²·λ = 1 at every σ: the network's effective target has unit weight.
        foreach (var s in sigmas) Assert.AreEqual(1, Math.Pow(EdmPreconditioning.COut(s, sd), 2) * EdmPreconditioning.LossWeight(s, sd), 1e-12);
    }

    [TestMethod]
    public void KarrasSigmasEqualTheReference()
    {
        var r = Root();
        var edm = new EdmSettings();
        foreach (var (steps, name) in new[] { (EdmSettings.Cifar10Steps, "karras18"), (EdmSettings.Ffhq64Steps, "karras40") })
        {
            var expected = Doubles(r, name);
            var actual = edm.KarrasSigmas(steps);
            Assert.HasCount(steps + 1, actual);
            for (int i = 0; i <= steps; i++) Assert.AreEqual(expected[i], actual[i], 1e-12 * Math.Max(1, expected[i]), $"σ_{i} of {steps}");
            Assert.AreEqual(80, actual[0], 1e-12);
            Assert.AreEqual(0.002, actual[steps - 1], 1e-15);
        }
    }

    [TestMethod]
    public void InvalidSettingsAreRefused()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new EdmSettings { SigmaMin = 90 }.Validate());
        Assert.ThrowsExactly<ArgumentException>(() => new EdmSettings { SigmaData = 0 }.Validate());
        Assert.ThrowsExactly<ArgumentException>(() => new EdmSettings { PStd = -1 }.Validate());
    }
}
