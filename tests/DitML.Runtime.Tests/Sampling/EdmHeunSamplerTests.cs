using System.Text.Json;
using DitML.Sampling;

namespace DitML.Runtime.Tests.Sampling;

/// <summary>
/// EDM's deterministic Heun sampler against tests/Fixtures/edm/edm_reference.py (EDM Algorithm 1 in double precision)
/// on a toy analytic denoiser: the exact D(x; σ) of a per-element two-Gaussian mixture, class-shifted, guided on D.
/// </summary>
[TestClass]
public sealed class EdmHeunSamplerTests
{
    /// <summary>The toy model of the fixture: ideal denoiser of 0.3·N(−0.6 + δ_y, 0.1²) + 0.7·N(0.4 + δ_y, 0.1²).</summary>
    private sealed class MixtureDenoiser(double[] means, double[] probs, double std, double shift, int numClasses) : IDenoiser
    {
        public int Evaluations { get; private set; }

        public int Channels => 1;

        public int Height => 2;

        public int Width => 3;

        public bool LearnSigma => false;

        public int NumClasses => numClasses;

        public void Predict(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> y, Span<float> output)
        {
            Evaluations++;
            int plane = 6;
            for (int i = 0; i < y.Length; i++)
            {
                double sigma = t[i], offset = y[i] == numClasses ? 0 : shift * (y[i] + 1), variance = std * std + sigma * sigma;
                for (int k = 0; k < plane; k++)
                {
                    double v = x[i * plane + k];
                    var logs = means.Select((m, j) => Math.Log(probs[j]) - Math.Pow(v - (m + offset), 2) / (2 * variance)).ToArray();
                    double top = logs.Max(), z = logs.Sum(l => Math.Exp(l - top)), d = 0;
                    for (int j = 0; j < means.Length; j++)
                        d += Math.Exp(logs[j] - top) / z * (means[j] + offset + std * std / variance * (v - means[j] - offset));
                    output[i * plane + k] = (float)d;
                }
            }
        }
    }

    [TestMethod]
    public void SamplesEqualTheReferenceSamplerOnTheAnalyticDenoiser()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture.Path("edm", "edm.json")));
        var toy = doc.RootElement.GetProperty("toy");
        double[] D(JsonElement e, string n) => e.GetProperty(n).EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var model = new MixtureDenoiser(D(toy, "means"), D(toy, "probs"), toy.GetProperty("std").GetDouble(), toy.GetProperty("shift").GetDouble(),
            toy.GetProperty("num_classes").GetInt32());
        int cases = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            int steps = c.GetProperty("steps").GetInt32();
            double guidance = c.GetProperty("guidance").GetDouble();
            long label = c.GetProperty("label").GetInt64(), seed = c.GetProperty("seed").GetInt64();
            var noise = new float[6];
            new RowNoise(seed).Fill(noise);
            CollectionAssert.AreEqual(D(c, "noise").Select(v => (float)v).ToArray(), noise, "the reference draws DitML's RowNoise stream");

            var sampler = DiffusionSampler.CreateEdm(new SamplerOptions { Sampler = SamplerKind.Heun, Steps = steps, GuidanceScale = guidance });
            Assert.AreEqual(2 * steps - 1, sampler.NetworkEvaluations);
            int before = model.Evaluations;
            var sample = sampler.Sample(model, [label], [seed]);
            Assert.AreEqual(2 * steps - 1, model.Evaluations - before, "one (batched, guided) call per evaluation");
            var expected = D(c, "sample");
            for (int k = 0; k < 6; k++)
                Assert.AreEqual(expected[k], sample[k], 2e-4, $"{steps} steps, guidance {guidance}, class {label}, seed {seed}, element {k}");
            cases++;
        }
        Assert.AreEqual(9, cases);
    }

    [TestMethod]
    public void OnlyTheHeunSamplerTakesEdmModels()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => DiffusionSampler.CreateEdm(new SamplerOptions { Sampler = SamplerKind.Ddim }));
        StringAssert.Contains(e.Message, "heun");
    }
}
