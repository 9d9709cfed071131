using System.Diagnostics;
using DitML.Metrics;

namespace DitML.Benchmarks;

/// <summary>Fréchet distance time at D = 512 … 2048, with the torch-free managed eigensolver vs libtorch's LAPACK one, in one run.</summary>
internal static class FidBenchmark
{
    public static void Run(string[] args)
    {
        int[] dims = BenchmarkArgs.Get(args, "--dims", "512,1024,2048").Split(',').Select(int.Parse).ToArray();
        int managedMax = BenchmarkArgs.GetInt(args, "--managed-max", 1024);   // the managed route needs minutes past 1024
        Console.WriteLine($"{"D",6} {"managed s",10} {"libtorch s",10} {"ratio",7} {"|FID diff|",11}");
        foreach (int d in dims)
        {
            var rng = new Random(d);
            var (mu1, s1) = Statistics(rng, d);
            var (mu2, s2) = Statistics(rng, d);
            var w = Stopwatch.StartNew();
            double lapack = FrechetDistance.Compute(mu1, s1, mu2, s2, new LapackEigensolver());
            double tl = w.Elapsed.TotalSeconds;
            if (d > managedMax)
            {
                Console.WriteLine($"{d,6} {"—",10} {tl,10:F2} {"—",7} {"—",11}");
                continue;
            }
            w.Restart();
            double managed = FrechetDistance.Compute(mu1, s1, mu2, s2, new ManagedEigensolver());
            double tm = w.Elapsed.TotalSeconds;
            Console.WriteLine($"{d,6} {tm,10:F2} {tl,10:F2} {tm / tl,6:F1}× {Math.Abs(managed - lapack),11:E1}");
        }
    }

    private static (double[] Mean, double[] Cov) Statistics(Random rng, int d)
    {
        var stats = new FeatureStatistics(d);
        var x = new float[(d + 64) * d];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        stats.Add(x);
        return stats.Compute();
    }
}
