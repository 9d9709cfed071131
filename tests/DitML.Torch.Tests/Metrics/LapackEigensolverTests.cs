using DitML.Metrics;

namespace DitML.Torch.Tests.Metrics;

[TestClass]
public sealed class LapackEigensolverTests
{
    [TestMethod]
    public void AgreesWithTheManagedSolverOnFrechetDistance()
    {
        int d = 48;
        var rng = new Random(5);
        double[] Psd(int samples = 60)
        {
            var x = Enumerable.Range(0, d * samples).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var s = new double[d * d];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                    for (int k = 0; k < samples; k++) s[i * d + j] += x[k * d + i] * x[k * d + j] / (samples - 1);
            return s;
        }
        var s1 = Psd();
        var s2 = Psd();
        var mu1 = Enumerable.Range(0, d).Select(i => Math.Sin(i)).ToArray();
        var mu2 = Enumerable.Range(0, d).Select(i => Math.Cos(i)).ToArray();
        double managed = FrechetDistance.Compute(mu1, s1, mu2, s2, new ManagedEigensolver());
        double lapack = FrechetDistance.Compute(mu1, s1, mu2, s2, new LapackEigensolver());
        Assert.AreEqual(managed, lapack, 1e-9 * managed);
        var singular = Psd(samples: 10);                                        // rank 10 of 48: eigenvalues at 0 clamp alike
        double managedSingular = FrechetDistance.Compute(mu1, singular, mu2, s2, new ManagedEigensolver());
        Assert.AreEqual(managedSingular, FrechetDistance.Compute(mu1, singular, mu2, s2, new LapackEigensolver()), 1e-7 * managedSingular);
        var (values, vectors) = new LapackEigensolver().Decompose(s1, d, vectors: true);
        Assert.IsTrue(values.Zip(values.Skip(1), (a, b) => a <= b).All(x => x), "ascending");
        Assert.IsNotNull(vectors);
    }
}
