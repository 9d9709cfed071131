using DitML.Numpy;

namespace DitML.Cli.Tests.Commands;

/// <summary>`ditml fid` on statistics files that are not a Gaussian's: a message and exit code 2, never a meaningless FID.</summary>
[TestClass]
public sealed class FidStatisticsRefusalTests
{
    [TestMethod]
    [DataRow(new[] { 0.0, double.NaN }, new[] { 1.0, 0, 0, 1 }, "must be finite", DisplayName = "NaN in mu")]
    [DataRow(new[] { 0.0, 0.0 }, new[] { 1.0, 0, 0, double.NegativeInfinity }, "must be finite", DisplayName = "-Infinity in sigma")]
    [DataRow(new[] { 0.0, 0.0 }, new[] { 1.0, 0.3, 0.9, 1 }, "not symmetric", DisplayName = "non-symmetric sigma")]
    [DataRow(new[] { 0.0, 0.0 }, new[] { 1.0, 3, 3, 1 }, "not positive semi-definite", DisplayName = "indefinite sigma")]
    public void BadStatisticsAreRefusedWithAMessage(double[] mu, double[] sigma, string message)
    {
        string dir = Directory.CreateTempSubdirectory("ditml-fid-bad").FullName;
        try
        {
            string good = Path.Combine(dir, "good.npz"), bad = Path.Combine(dir, "bad.npz");
            NpyWriter.SaveNpz(good, [("mu", [0.0, 0.0], [2]), ("sigma", [1.0, 0, 0, 1], [2, 2])]);
            NpyWriter.SaveNpz(bad, [("mu", mu, [2]), ("sigma", sigma, [2, 2])]);
            foreach (var (real, fake) in new[] { (good, bad), (bad, good) })
            {
                var (code, output, error) = CliRunner.Run("fid", "--real", real, "--fake", fake);
                Assert.AreEqual(2, code, $"{output}{error}");
                StringAssert.Contains(error, message);
                Assert.DoesNotContain("FID", output);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
