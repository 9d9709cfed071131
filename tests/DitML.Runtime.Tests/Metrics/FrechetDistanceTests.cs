using System.Runtime.InteropServices;
using System.Text.Json;
using DitML.Metrics;

namespace DitML.Runtime.Tests.Metrics;

[TestClass]
public sealed class FrechetDistanceTests
{
    private static double[] RandomOrthogonal(int d, int seed)
    {
        // Gram–Schmidt on a random matrix: columns orthonormal.
        var rng = new Random(seed);
        var q = new double[d * d];
        for (int i = 0; i < d * d; i++) q[i] = rng.NextDouble() * 2 - 1;
        for (int j = 0; j < d; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < d; i++) dot += q[i * d + j] * q[i * d + k];
                for (int i = 0; i < d; i++) q[i * d + j] -= dot * q[i * d + k];
            }
            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(i => q[i * d + j] * q[i * d + j]));
            for (int i = 0; i < d; i++) q[i * d + j] /= norm;
        }
        return q;
    }

    private static double[] QDiagQt(double[] q, double[] diag, int d)
    {
        var m = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                for (int k = 0; k < d; k++) m[i * d + j] += q[i * d + k] * diag[k] * q[j * d + k];
        return m;
    }

    private static double[] Random(int d, int seed, double scale = 1) => Enumerable.Range(0, d).Select(i => scale * Math.Sin(seed * 31 + i * 7.1)).ToArray();

    [TestMethod]
    public void EqualStatisticsGiveZero()
    {
        int d = 12;
        var q = RandomOrthogonal(d, 1);
        var s = QDiagQt(q, Enumerable.Range(1, d).Select(i => i / 3.0).ToArray(), d);
        var mu = Random(d, 2);
        Assert.AreEqual(0, FrechetDistance.Compute(mu, s, mu, s), 1e-9);
    }

    [TestMethod]
    public void EqualCovariancesGiveTheSquaredMeanDistance()
    {
        int d = 10;
        var s = QDiagQt(RandomOrthogonal(d, 3), Enumerable.Range(0, d).Select(i => 0.5 + i).ToArray(), d);
        var a = Random(d, 4);
        var b = Random(d, 5);
        double expected = a.Zip(b, (x, y) => (x - y) * (x - y)).Sum();
        Assert.AreEqual(expected, FrechetDistance.Compute(a, s, b, s), 1e-9);
    }

    [TestMethod]
    public void CommutingCovariances()
    {
        int d = 16;
        var q = RandomOrthogonal(d, 6);
        var da = Enumerable.Range(0, d).Select(i => 0.2 + i * 0.3).ToArray();
        var db = Enumerable.Range(0, d).Select(i => 3.0 / (1 + i)).ToArray();
        db[3] = 0;                                                             // rank-deficient on one side
        var a = Random(d, 7);
        var b = Random(d, 8);
        double expected = a.Zip(b, (x, y) => (x - y) * (x - y)).Sum() + da.Zip(db, (x, y) => Math.Pow(Math.Sqrt(x) - Math.Sqrt(y), 2)).Sum();
        // The zero eigenvalue comes back as ±1e-16, whose square root is 1e-8: hence 1e-7, not 1e-12.
        Assert.AreEqual(expected, FrechetDistance.Compute(a, QDiagQt(q, da, d), b, QDiagQt(q, db, d)), 1e-7);
    }

    [TestMethod]
    public void ScaledCovariance()
    {
        int d = 9;
        var s = QDiagQt(RandomOrthogonal(d, 9), Enumerable.Range(0, d).Select(i => 1.0 + i).ToArray(), d);
        const double c = 0.3;
        var mu = new double[d];
        Assert.AreEqual((1 - c) * (1 - c) * DenseMathTrace(s, d), FrechetDistance.Compute(mu, s, mu, s.Select(v => c * c * v).ToArray()), 1e-9);
    }

    [TestMethod]
    public void TwoByTwoFormula()
    {
        double[] s1 = [2, 0.5, 0.5, 1], s2 = [1, -0.3, -0.3, 0.7];
        double trProduct = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
        double det1 = s1[0] * s1[3] - s1[1] * s1[2], det2 = s2[0] * s2[3] - s2[1] * s2[2];
        double expected = Math.Sqrt(trProduct + 2 * Math.Sqrt(det1 * det2));
        Assert.AreEqual(expected, FrechetDistance.TraceSqrtProduct(s1, s2, 2, new ManagedEigensolver()), 1e-12);
    }

    [TestMethod]
    public void SymmetricAndInvariantToRotationAndTranslation()
    {
        var (a, b, n, d) = LoadFeatures();
        double ab = Fid(a, b, n, d), ba = Fid(b, a, n, d);
        Assert.AreEqual(ab, ba, 1e-9 * ab);
        var q = RandomOrthogonal(d, 11);
        var shift = Random(d, 12, 5);
        float[] Transform(float[] x)
        {
            var y = new float[x.Length];
            for (int r = 0; r < n; r++)
                for (int j = 0; j < d; j++)
                {
                    double v = shift[j];
                    for (int k = 0; k < d; k++) v += q[j * d + k] * x[r * d + k];
                    y[r * d + j] = (float)v;
                }
            return y;
        }
        Assert.AreEqual(ab, Fid(Transform(a), Transform(b), n, d), 1e-4 * ab, "float32 features after the transform");
    }

    [TestMethod]
    public void AgreesWithScipysSqrtm()
    {
        // fid.json: pytorch-fid's formula with scipy.linalg.sqrtm on the same features (make_fid_fixture.py).
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture.Path("metrics", "fid.json")));
        var (a, b, n, d) = LoadFeatures();
        double expected = doc.RootElement.GetProperty("fid").GetDouble();
        Assert.AreEqual(expected, Fid(a, b, n, d), 1e-6 * expected, "relative 1e-6");
        var (mean, cov) = FeatureStatistics.Of(a, d);
        Assert.AreEqual(doc.RootElement.GetProperty("mu1_first")[1].GetDouble(), mean[1], 1e-9);
        Assert.AreEqual(doc.RootElement.GetProperty("sigma1_first")[2].GetDouble(), cov[2], 1e-9);
    }

    [TestMethod]
    public void StreamingEqualsOneBatchAndFlagsRankDeficiency()
    {
        var (a, _, n, d) = LoadFeatures();
        var one = new FeatureStatistics(d);
        one.Add(a);
        var many = new FeatureStatistics(d);
        for (int r = 0; r < n; r += 70) many.Add(a.AsSpan(r * d, Math.Min(70, n - r) * d));
        var (m1, c1) = one.Compute();
        var (m2, c2) = many.Compute();
        for (int i = 0; i < d; i++) Assert.AreEqual(m1[i], m2[i], 1e-12);
        for (int i = 0; i < d * d; i++) Assert.AreEqual(c1[i], c2[i], 1e-12);
        Assert.IsFalse(one.IsRankDeficient);
        var few = new FeatureStatistics(d);
        few.Add(a.AsSpan(0, 10 * d));
        Assert.IsTrue(few.IsRankDeficient, "10 samples of 64 features");
    }

    [TestMethod]
    public void EigensolverRecoversAKnownDecomposition()
    {
        int d = 20;
        var q = RandomOrthogonal(d, 13);
        var values = Enumerable.Range(0, d).Select(i => i % 4 == 0 ? 0.0 : i * 0.7 - 3).ToArray();
        var (eig, vectors) = new ManagedEigensolver().Decompose(QDiagQt(q, values, d), d, vectors: true);
        CollectionAssert.AreEqual(values.OrderBy(v => v).Select(v => Math.Round(v, 8)).ToArray(), eig.Select(v => Math.Round(v, 8)).ToArray());
        var a = QDiagQt(q, values, d);
        for (int k = 0; k < d; k++)                                            // A·v = λ·v
            for (int i = 0; i < d; i++)
            {
                double av = 0;
                for (int j = 0; j < d; j++) av += a[i * d + j] * vectors![j * d + k];
                Assert.AreEqual(eig[k] * vectors![i * d + k], av, 1e-9);
            }
    }

    private static double DenseMathTrace(double[] s, int d) => Enumerable.Range(0, d).Sum(i => s[i * d + i]);

    private static double Fid(float[] a, float[] b, int n, int d)
    {
        var sa = new FeatureStatistics(d);
        sa.Add(a);
        var sb = new FeatureStatistics(d);
        sb.Add(b);
        var (m1, c1) = sa.Compute();
        var (m2, c2) = sb.Compute();
        return FrechetDistance.Compute(m1, c1, m2, c2);
    }

    private static (float[] A, float[] B, int N, int D) LoadFeatures()
    {
        float[] Read(string name) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Fixture.Path("metrics", name))).ToArray();
        return (Read("features_a.f32"), Read("features_b.f32"), 300, 64);
    }

    [TestMethod]
    public void AFewSamplesOfWideFeaturesGiveAFiniteDistance()
    {
        // 30 samples of 256 features (rank 29) against a full-rank reference: Σ is singular, eigenvalues round to
        // tiny negatives, and FID must still be a finite number (the λ < 0 are clamped at 0).
        var random = new Random(7);
        float[] Draw(int n, double scale) => Enumerable.Range(0, n * 256).Select(_ => (float)(scale * (random.NextDouble() - 0.5))).ToArray();
        var few = new FeatureStatistics(256);
        few.Add(Draw(30, 1));
        var many = new FeatureStatistics(256);
        many.Add(Draw(2000, 2));
        var (mu1, s1) = many.Compute();
        var (mu2, s2) = few.Compute();
        double fid = FrechetDistance.Compute(mu1, s1, mu2, s2);
        Assert.IsTrue(double.IsFinite(fid) && fid > 0, $"FID {fid}");
        double reversed = FrechetDistance.Compute(mu2, s2, mu1, s1);
        Assert.AreEqual(fid, reversed, 1e-6 * fid, "symmetric even when one side is singular");
    }
}
