using System.Text.Json;
using DitML.Vae;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Vae;

/// <summary>tests/Fixtures/vae: the small random-weight VAE of make_vae_fixtures.py and its PyTorch inputs/outputs.</summary>
internal sealed class VaeFixture
{
    public static readonly string WeightsPath = Path.Combine("Fixtures", "vae", "small_vae.safetensors");

    private readonly JsonElement root;

    private VaeFixture(JsonElement root) => this.root = root;

    public static VaeFixture Load() =>
        new(JsonDocument.Parse(File.ReadAllText(Path.Combine("Fixtures", "vae", "small_io.json"))).RootElement);

    public VaeConfig Config => VaeConfig.FromJson(root.GetProperty("config").GetRawText());

    public float[] Values(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetSingle()).ToArray();

    public long[] Shape(string name) => root.GetProperty(name + "_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();

    public Tensor Tensor(string name, string shapeName)
    {
        var values = Values(name);
        using var view = tensor(values, Shape(shapeName));
        var copy = view.clone();                        // the array may back the view; keep a copy of our own
        GC.KeepAlive(values);
        return copy;
    }

    /// <summary>max |a − e| / max |e|.</summary>
    public static double RelativeError(float[] expected, float[] actual)
    {
        Assert.AreEqual(expected.Length, actual.Length, "element count");
        double maxDiff = expected.Zip(actual, (p, q) => Math.Abs(p - q)).Max(), maxRef = expected.Max(Math.Abs);
        return maxDiff / maxRef;
    }
}
