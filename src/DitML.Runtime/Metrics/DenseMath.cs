using System.Numerics;

namespace DitML.Metrics;

/// <summary>Row-major double matrix products for the metric math: SIMD along rows, parallel over row blocks.</summary>
internal static class DenseMath
{
    /// <summary>C (m×n) = A (m×k) · B (k×n).</summary>
    public static double[] Multiply(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        Parallel.For(0, m, i =>
        {
            var row = c.AsSpan(i * n, n);
            for (int p = 0; p < k; p++)
            {
                double s = a[i * k + p];
                if (s == 0) continue;
                Axpy(s, b.AsSpan(p * n, n), row);
            }
        });
        return c;
    }

    /// <summary>y += s·x.</summary>
    public static void Axpy(double s, ReadOnlySpan<double> x, Span<double> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<double>(s);
            int w = Vector<double>.Count;
            for (; i <= x.Length - w; i += w)
                (new Vector<double>(y[i..]) + vs * new Vector<double>(x[i..])).CopyTo(y[i..]);
        }
        for (; i < x.Length; i++) y[i] += s * x[i];
    }

    /// <summary>Trace of an n×n matrix.</summary>
    public static double Trace(ReadOnlySpan<double> a, int n)
    {
        double t = 0;
        for (int i = 0; i < n; i++) t += a[i * n + i];
        return t;
    }
}
