using System.Globalization;
using System.Text.Json;
using DitML.Models;

namespace DitML.Cli.Tests.Commands;

/// <summary>`ditml info` for latent DiffiT presets (diffit-facts.md §1).</summary>
[TestClass]
public sealed class InfoDiffiTCommandTests
{
    [TestMethod]
    public void DiffiTXL2At256PxHasTheReleases561330144Parameters()
    {
        var (code, output, error) = CliRunner.Run("info", "--model", "DiffiT-XL/2", "--image-size", "256");
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "DiffiT-XL/2");
        StringAssert.Contains(output, "561,330,144");
        StringAssert.Contains(output, "561,035,232 trainable");
        StringAssert.Contains(output, "28 × width 1152, 16 heads");
        StringAssert.Contains(output, "bias table 961×16");
        double gflops = LatentDiffiTComplexity.Gflops(LatentDiffiTConfig.FromName("DiffiT-XL/2"));
        StringAssert.Contains(output, string.Create(CultureInfo.InvariantCulture, $"Gflops         {gflops:F2}"));
        StringAssert.Contains(output, "Gflops         118.51");
    }

    [TestMethod]
    public void JsonAt512PxHasTheLatent64Count()
    {
        var (code, output, error) = CliRunner.Run("info", "--model", "DiffiT-XL/2", "--image-size", "512", "--json");
        Assert.AreEqual(0, code, error);
        using var doc = JsonDocument.Parse(output);
        Assert.AreEqual(563_562_464L, doc.RootElement.GetProperty("parameters").GetInt64());
        Assert.AreEqual("DiffiT-XL/2", doc.RootElement.GetProperty("model").GetString());
        Assert.AreEqual(64, doc.RootElement.GetProperty("config").GetProperty("input_size").GetInt32());
        double gflops = LatentDiffiTComplexity.Gflops(LatentDiffiTConfig.FromName("DiffiT-XL/2", inputSize: 64));
        Assert.AreEqual(Math.Round(gflops, 4), doc.RootElement.GetProperty("gflops").GetDouble());
    }

    [TestMethod]
    public void DiTOnlySwitchesAndUnknownSizesAreClearErrors()
    {
        var tmsa = CliRunner.Run("info", "--model", "DiffiT-XL/2", "--tmsa");
        Assert.AreEqual(2, tmsa.ExitCode);
        StringAssert.Contains(tmsa.Error, "--tmsa");
        var conditioning = CliRunner.Run("info", "--model", "DiffiT-B/4", "--conditioning", "adaln");
        Assert.AreEqual(2, conditioning.ExitCode);
        StringAssert.Contains(conditioning.Error, "--conditioning adaln");
        var unknown = CliRunner.Run("info", "--model", "DiffiT-Q/2");
        Assert.AreEqual(2, unknown.ExitCode);
        StringAssert.Contains(unknown.Error, "Unknown DiffiT model 'DiffiT-Q/2'");
        StringAssert.Contains(unknown.Error, "DiffiT-XL/2");
    }
}
