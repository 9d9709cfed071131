namespace DitML.Metrics;

/// <summary>
/// Checks the mean and covariance a Fréchet distance is computed from: finite values, a symmetric covariance with a
/// non-negative diagonal. (Positive semi-definiteness needs the eigenvalues, which <see cref="FrechetDistance"/> checks
/// as it computes them.) Garbage statistics get a message, never a meaningless distance.
/// </summary>
public static class GaussianStatistics
{
    /// <summary>Relative tolerance of the symmetry and semi-definiteness checks (rounding of float64 statistics is far below).</summary>
    public const double Tolerance = 1e-6;

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="what"/> when the statistics are unusable.</summary>
    /// <param name="mean">The mean (D).</param>
    /// <param name="covariance">The covariance (D×D, row-major).</param>
    /// <param name="what">What they are, for the message (a file name, "the generated set").</param>
    public static void Check(ReadOnlySpan<double> mean, ReadOnlySpan<double> covariance, string what)
    {
        int d = mean.Length;
        if ((long)d * d != covariance.Length) throw new ArgumentException($"{what}: a covariance of {covariance.Length} values for a mean of {d}");
        for (int i = 0; i < d; i++)
            if (!double.IsFinite(mean[i])) throw new ArgumentException($"{what}: the mean holds {mean[i]} at {i}; statistics must be finite");
        double scale = 0;
        for (int i = 0; i < covariance.Length; i++)
        {
            if (!double.IsFinite(covariance[i])) throw new ArgumentException($"{what}: the covariance holds {covariance[i]} at ({i / d}, {i % d}); statistics must be finite");
            scale = Math.Max(scale, Math.Abs(covariance[i]));
        }
        double tolerance = Tolerance * scale;
        for (int i = 0; i < d; i++)
        {
            if (covariance[i * d + i] < -tolerance)
                throw new ArgumentException($"{what}: the covariance has a negative variance {covariance[i * d + i]} at ({i}, {i}); it is not a covariance");
            for (int j = i + 1; j < d; j++)
            {
                double a = covariance[i * d + j], b = covariance[j * d + i];
                if (Math.Abs(a - b) > tolerance)
                    throw new ArgumentException($"{what}: the covariance is not symmetric: ({i}, {j}) is {a}, ({j}, {i}) is {b}");
            }
        }
    }

    /// <summary>Throws when eigenvalues of a covariance (or of S·Σ·S) are negative beyond rounding.</summary>
    internal static void CheckSemiDefinite(ReadOnlySpan<double> eigenvalues, string what)
    {
        double largest = 0, smallest = double.PositiveInfinity;
        foreach (double v in eigenvalues)
        {
            largest = Math.Max(largest, Math.Abs(v));
            smallest = Math.Min(smallest, v);
        }
        if (smallest < -Tolerance * Math.Max(largest, double.Epsilon))
            throw new ArgumentException($"{what}: the covariance is not positive semi-definite (eigenvalue {smallest:G4}, largest {largest:G4})");
    }
}
