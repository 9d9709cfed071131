using System.Globalization;
using System.Text.Json;
using DitML.Dit;

namespace DitML.Cli.Tests.Commands;

[TestClass]
public sealed class InfoCommandTests
{
    // dit-facts.md: parameters (exact) and Gflops (paper, two decimals) at 256 px.
    [TestMethod]
    [DataRow("DiT-XL/2", 675_129_632L, 118.64)]
    [DataRow("DiT-XL/4", 675_074_432L, 29.05)]
    [DataRow("DiT-XL/8", 675_683_072L, 7.39)]
    [DataRow("DiT-L/2", 458_102_816L, 80.71)]
    [DataRow("DiT-L/4", 458_053_760L, 19.70)]
    [DataRow("DiT-L/8", 458_594_816L, 5.01)]
    [DataRow("DiT-B/2", 130_512_416L, 23.01)]
    [DataRow("DiT-B/4", 130_475_648L, 5.56)]
    [DataRow("DiT-B/8", 130_881_536L, 1.42)]
    [DataRow("DiT-S/2", 32_963_360L, 6.06)]
    [DataRow("DiT-S/4", 32_945_024L, 1.41)]
    [DataRow("DiT-S/8", 33_148_160L, 0.36)]
    public void JsonReproducesThePaperNumbers(string model, long parameters, double gflops)
    {
        var (code, output, error) = CliRunner.Run("info", "--model", model, "--image-size", "256", "--json");
        Assert.AreEqual(0, code, error);
        using var doc = JsonDocument.Parse(output);
        Assert.AreEqual(parameters, doc.RootElement.GetProperty("parameters").GetInt64());
        double g = doc.RootElement.GetProperty("gflops").GetDouble();
        Assert.IsTrue(Math.Abs(g - gflops) <= 0.01 * gflops + 0.005, $"{model}: {g} vs {gflops}");
        Assert.AreEqual(model, doc.RootElement.GetProperty("model").GetString());
    }

    [TestMethod]
    public void TextShowsParametersAndGflops()
    {
        var (code, output, _) = CliRunner.Run("info", "--model", "DiT-XL/2", "--input-size", "32");
        Assert.AreEqual(0, code);
        StringAssert.Contains(output, "675,129,632");
        StringAssert.Contains(output, "118.62");
    }

    [TestMethod]
    public void AllPrintsTheTwelve()
    {
        var (code, output, _) = CliRunner.Run("info", "--model", "all");
        Assert.AreEqual(0, code);
        Assert.AreEqual(13, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        StringAssert.Contains(output, "33,148,160");
    }

    [TestMethod]
    public void ImageSizeIsPixelsAndInputSizeIsLatent()
    {
        var a = CliRunner.Run("info", "--model", "DiT-S/2", "--image-size", "512", "--json");
        var b = CliRunner.Run("info", "--model", "DiT-S/2", "--input-size", "64", "--json");
        Assert.AreEqual(a.Output, b.Output);
        Assert.AreEqual(64, JsonDocument.Parse(a.Output).RootElement.GetProperty("config").GetProperty("input_size").GetInt32());
    }

    [TestMethod]
    public void UnknownModelIsAClearErrorWithoutStackTrace()
    {
        var (code, output, error) = CliRunner.Run("info", "--model", "DiT-Q/2");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        StringAssert.StartsWith(error, "error: Unknown model 'DiT-Q/2'");
        Assert.IsFalse(error.Contains("   at ", StringComparison.Ordinal), "no stack trace");
        Assert.IsFalse(error.Contains("Parameter '", StringComparison.Ordinal));
    }

    [TestMethod]
    public void BothSizesAtOnceAreRefused()
    {
        var (code, _, error) = CliRunner.Run("info", "--image-size", "256", "--input-size", "32");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "--image-size");
    }

    [TestMethod]
    public void VariantsReportTheirOwnCost()
    {
        var zero = JsonDocument.Parse(CliRunner.Run("info", "--json").Output).RootElement.GetProperty("gflops").GetDouble();
        var cross = JsonDocument.Parse(CliRunner.Run("info", "--json", "--conditioning", "cross-attention").Output)
            .RootElement.GetProperty("gflops").GetDouble();
        Assert.IsTrue(cross > zero * 1.1, string.Create(CultureInfo.InvariantCulture, $"{cross} vs {zero}"));
    }
}
