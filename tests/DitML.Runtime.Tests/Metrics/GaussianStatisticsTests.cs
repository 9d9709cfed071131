using DitML.Metrics;
using DitML.Numpy;

namespace DitML.Runtime.Tests.Metrics;

/// <summary>Statistics that are not a Gaussian's are refused with a message, never turned into a meaningless FID.</summary>
[TestClass]
public sealed class GaussianStatisticsTests
{
    private static readonly double[] Mu = [0.1, 0.2];
    private static readonly double[] Identity = [1, 0, 0, 1];

    [TestMethod]
    [DataRow(new[] { double.NaN, 0.0 }, new[] { 1.0, 0, 0, 1 }, "must be finite", DisplayName = "NaN mean")]
    [DataRow(new[] { 0.0, 0.0 }, new[] { 1.0, 0, 0, double.PositiveInfinity }, "must be finite", DisplayName = "infinite variance")]
    [DataRow(new[] { 0.0, 0.0 }, new[] { 1.0, 0.5, -0.5, 1 }, "not symmetric", DisplayName = "non-symmetric covariance")]
    [DataRow(new[] { 0.0, 0.0 }, new[] { 1.0, 2, 2, 1 }, "not positive semi-definite", DisplayName = "indefinite covariance")]
    [DataRow(new[] { 0.0, 0.0 }, new[] { -1.0, 0, 0, 1 }, "negative variance", DisplayName = "negative variance")]
    public void BadStatisticsAreRefusedOnEitherSide(double[] mu, double[] sigma, string message)
    {
        var first = Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(mu, sigma, Mu, Identity));
        StringAssert.Contains(first.Message, message);
        var second = Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(Mu, Identity, mu, sigma));
        StringAssert.Contains(second.Message, message);
    }

    [TestMethod]
    public void ASingularButValidCovarianceIsAccepted()
    {
        double[] singular = [1, 1, 1, 1];                                  // rank 1: what too few samples give
        Assert.IsGreaterThanOrEqualTo(0.0, FrechetDistance.Compute(Mu, singular, Mu, Identity));
    }

    [TestMethod]
    public void AStatisticsFileWithNaNIsRefusedNamingIt()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ditml-stats-{Guid.NewGuid():N}.npz");
        try
        {
            NpyWriter.SaveNpz(path, [("mu", [0.0, double.NaN], [2]), ("sigma", Identity, [2, 2])]);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => StatisticsFile.Load(path));
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, "must be finite");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
