using System.Text.Json;
using DitML.Checkpoints;
using DitML.Classifiers.Inception;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Classifiers;

/// <summary>
/// The FID InceptionV3 against torchvision's Inception3 patched as pytorch-fid does (tests/Fixtures/inception): names,
/// shapes, parameter count, and the full forward on closed-form weights (each value a sine of its name and index, so
/// no 95 MB weight file is committed).
/// </summary>
[TestClass]
public sealed class FidInceptionV3Tests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "inception", name);

    /// <summary>The weights of make_inception_fixtures.py's <c>value</c>.</summary>
    internal static void FillClosedForm(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (name, t) in model.state_dict())
        {
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) { t.zero_(); continue; }
            long n = t.numel();
            double phase = name.Sum(ch => (int)ch) * 0.001;
            // Per tensor: value = offset + scale · sin(i·φ + phase), the same kinds as the Python script.
            (double offset, double scale) = name.EndsWith("running_var", StringComparison.Ordinal) ? (1.0, 0.25)
                : name.EndsWith("running_mean", StringComparison.Ordinal) || name.EndsWith(".bias", StringComparison.Ordinal) ? (0.0, 0.05)
                : name.EndsWith("bn.weight", StringComparison.Ordinal) ? (1.0, 0.1)
                : (0.0, 2.0 / Math.Sqrt(n / t.shape[0]));
            var values = new float[n];
            for (long i = 0; i < n; i++) values[i] = (float)(offset + scale * Math.Sin(i * 0.7548776662466927 + phase));
            using var source = tensor(values, t.shape);
            t.copy_(source);
        }
    }

    internal static double RelativeError(float[] expected, float[] actual)
    {
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++) { num += Math.Pow(expected[i] - actual[i], 2); den += Math.Pow(expected[i], 2); }
        return Math.Sqrt(num / den);
    }

    [TestMethod]
    public void NamesShapesAndParameterCountEqualTheReference()
    {
        using var model = new FidInceptionV3();
        var lines = File.ReadAllLines(Fixture("inception_keys.txt"));
        // Same entries; the order differs (TorchSharp lists a module's parameters before its buffers) and loading is by name.
        var expected = lines.Take(lines.Length - 1).Order(StringComparer.Ordinal).ToArray();
        var actual = model.state_dict().Select(kv => $"{kv.Key} {(kv.Value.shape.Length == 0 ? "scalar" : string.Join('x', kv.Value.shape))}")
            .Order(StringComparer.Ordinal).ToArray();
        int first = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.AreEqual(-1, first, first < 0 ? "" : $"entry {first}: expected \"{expected[first]}\", got \"{actual[first]}\"");
        Assert.HasCount(expected.Length, actual);
        long parameters = model.parameters().Sum(p => p.numel());
        Assert.AreEqual(long.Parse(lines[^1].Split(' ')[1]), parameters);
        Assert.AreEqual(23_850_960L, parameters);
    }

    [TestMethod]
    public void ForwardMatchesPyTorchOnClosedFormWeights()
    {
        using var model = new FidInceptionV3();
        FillClosedForm(model);
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture("inception_io.json")));
        float[] Read(string key) => doc.RootElement.GetProperty(key).EnumerateArray().Select(e => e.GetSingle()).ToArray();
        using var noGrad = no_grad();
        using var unit = tensor(Read("input"), [2, 3, 32, 32]);                  // pytorch-fid's [0, 1] convention
        using var x = FidInceptionV3.FromUnitRange(unit);
        var (pool3, logits) = model.forward(x);
        using (pool3)
        using (logits)
        {
            CollectionAssert.AreEqual(new long[] { 2, 2048 }, pool3.shape);
            double e1 = RelativeError(Read("pool3"), pool3.data<float>().ToArray());
            double e2 = RelativeError(Read("logits"), logits.data<float>().ToArray());
            Assert.IsLessThan(1e-4, e1, $"pool3 relative error {e1:E2}");
            Assert.IsLessThan(1e-4, e2, $"logits relative error {e2:E2}");
        }
    }

    [TestMethod]
    public void LoadsAStateDictFileWithOrWithoutBatchNormCountersAndRefusesOthers()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-inception").FullName;
        try
        {
            using var reference = new FidInceptionV3();
            FillClosedForm(reference);
            var weights = ModelStateDict.Export(reference).Where(kv => !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            string path = Path.Combine(dir, FidInceptionV3.WeightsFileName);      // a torch.save zip, as released
            CheckpointFile.Write(path, weights);
            using var loaded = FidInceptionV3.Load(path);
            var pixels = Enumerable.Range(0, 3 * 40 * 40).Select(i => (float)Math.Sin(i * 0.01)).ToArray();
            var (f1, p1) = loaded.Run(pixels, 40, 40);
            var (f2, _) = reference.Run(pixels, 40, 40);
            CollectionAssert.AreEqual(f2, f1, "the loaded network computes what the original does");
            Assert.AreEqual(1.0, p1.Sum(), 1e-4, "probabilities of one image sum to 1");

            var missing = Assert.ThrowsExactly<FileNotFoundException>(() => FidInceptionV3.Load(Path.Combine(dir, "nope", FidInceptionV3.WeightsFileName)));
            StringAssert.Contains(missing.Message, FidInceptionV3.WeightsFileName);
            StringAssert.Contains(missing.Message, "github.com/mseitzer/pytorch-fid");

            weights.Remove("fc.bias");
            string broken = Path.Combine(dir, "broken.pth");
            CheckpointFile.Write(broken, weights);
            var bad = Assert.ThrowsExactly<InvalidDataException>(() => FidInceptionV3.Load(broken));
            StringAssert.Contains(bad.Message, "missing key 'fc.bias'");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
