using System.Text.Json;

namespace DitML.Runtime.Tests.Models;

/// <summary>
/// tests/Fixtures/diffit/flops.json (make_flops_fixture.py): per config, PyTorch 1.13's profiler count of the reference
/// model's aten::mm / addmm / bmm / conv2d over one forward pass of batch 1, as FLOPs and as MACs (FLOPs / 2).
/// </summary>
internal static class FlopsFixture
{
    private static readonly Lazy<JsonElement[]> Entries = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture.Path("diffit", "flops.json")));
        return doc.RootElement.GetProperty("configs").EnumerateArray().Select(e => e.Clone()).ToArray();
    });

    /// <summary>(name, config JSON in DitML's member names, profiler MACs) of every config of a family.</summary>
    public static IEnumerable<object[]> Family(string family) => Entries.Value
        .Where(e => e.GetProperty("family").GetString() == family)
        .Select(e => new object[] { e.GetProperty("name").GetString()!, e.GetProperty("config").GetRawText(), e.GetProperty("macs").GetInt64() });
}
