namespace DitML.Metrics;

/// <summary>
/// Mean and covariance (divided by N − 1) of feature vectors, accumulated in double batch by batch, so features need not
/// all be in memory. Values are shifted by the first vector before accumulating, which keeps the covariance accurate when
/// the features have a large mean.
/// </summary>
public sealed class FeatureStatistics
{
    private readonly double[] sum;
    private readonly double[] outer;
    private double[]? shift;

    /// <summary>Starts empty statistics of <paramref name="dimension"/>-wide features.</summary>
    public FeatureStatistics(int dimension)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "feature width must be positive");
        Dimension = dimension;
        sum = new double[dimension];
        outer = new double[dimension * dimension];
    }

    /// <summary>Feature width D.</summary>
    public int Dimension { get; }

    /// <summary>Vectors added.</summary>
    public long Count { get; private set; }

    /// <summary>Adds N vectors (N×D, row-major).</summary>
    public void Add(ReadOnlySpan<float> features)
    {
        int d = Dimension;
        if (features.Length % d != 0) throw new ArgumentException($"{features.Length} values are not whole {d}-wide vectors", nameof(features));
        int n = features.Length / d;
        if (n == 0) return;
        shift ??= Array.ConvertAll(features[..d].ToArray(), v => (double)v);
        var centered = new double[n * d];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < d; j++) centered[r * d + j] = features[r * d + j] - shift[j];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < d; j++) sum[j] += centered[r * d + j];
        // outer += Xᵀ·X, one row of the result per task.
        Parallel.For(0, d, i =>
        {
            var row = outer.AsSpan(i * d, d);
            for (int r = 0; r < n; r++)
            {
                double xi = centered[r * d + i];
                if (xi != 0) DenseMath.Axpy(xi, centered.AsSpan(r * d, d), row);
            }
        });
        Count += n;
    }

    /// <summary>The mean (D) and covariance (D×D, divided by N − 1).</summary>
    /// <exception cref="InvalidOperationException">Fewer than two vectors.</exception>
    public (double[] Mean, double[] Covariance) Compute()
    {
        if (Count < 2) throw new InvalidOperationException($"statistics need at least 2 feature vectors, got {Count}");
        int d = Dimension;
        var meanShifted = sum.Select(s => s / Count).ToArray();
        var cov = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                cov[i * d + j] = (outer[i * d + j] - Count * meanShifted[i] * meanShifted[j]) / (Count - 1);
        var mean = meanShifted.Select((m, j) => m + shift![j]).ToArray();
        return (mean, cov);
    }

    /// <summary>The mean and covariance of N <paramref name="dimension"/>-wide vectors held at once (N×D, row-major).</summary>
    /// <exception cref="InvalidOperationException">Fewer than two vectors.</exception>
    public static (double[] Mean, double[] Covariance) Of(ReadOnlySpan<float> features, int dimension)
    {
        var stats = new FeatureStatistics(dimension);
        stats.Add(features);
        return stats.Compute();
    }

    /// <summary>True when there are no more vectors than dimensions: the covariance is rank-deficient and FID biased.</summary>
    public bool IsRankDeficient => Count <= Dimension;
}
