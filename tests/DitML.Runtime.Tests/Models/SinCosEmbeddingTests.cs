using System.Text.Json;
using DitML.Models;

namespace DitML.Runtime.Tests.Models;

[TestClass]
public sealed class SinCosEmbeddingTests
{
    [TestMethod]
    public void PositionEmbeddingMatchesTheReference()
    {
        // Made by tests/Fixtures/dit/make_dit_fixtures.py from the MAE formulation (float64, cast to float32).
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine("Fixtures", "dit", "pos_embed_64x4.json")));
        var expected = doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var actual = SinCosEmbedding.Position2D(64, 4);
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < actual.Length; i++) Assert.AreEqual(expected[i], actual[i], 1e-7f, $"index {i}");
    }

    [TestMethod]
    public void FirstHalfEncodesTheColumnAndSinComesFirst()
    {
        var e = SinCosEmbedding.Position2D(8, 3);
        // token (row 0, col 1): first half is the 1-D embedding of column 1: [sin(1), sin(1/100), cos(1), cos(1/100)]
        var token = e.AsSpan(1 * 8, 8);
        Assert.AreEqual(MathF.Sin(1f), token[0], 1e-7f);
        Assert.AreEqual((float)Math.Sin(0.01), token[1], 1e-7f);
        Assert.AreEqual(MathF.Cos(1f), token[2], 1e-7f);
        Assert.AreEqual(0f, token[4], "second half encodes row 0: sin(0)");
        Assert.AreEqual(1f, token[6], "second half encodes row 0: cos(0)");
    }

    [TestMethod]
    public void TimestepFrequenciesSpanOneToOneOverTenThousand()
    {
        var f = SinCosEmbedding.TimestepFrequencies();
        Assert.HasCount(128, f);
        Assert.AreEqual(1f, f[0]);
        Assert.AreEqual(MathF.Exp(-MathF.Log(10000f) * 127 / 128), f[127]);
    }
}
