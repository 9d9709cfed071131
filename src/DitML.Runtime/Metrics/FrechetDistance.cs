namespace DitML.Metrics;

/// <summary>
/// The Fréchet distance between Gaussians N(μ1, Σ1) and N(μ2, Σ2) (FID on Inception features):
/// ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2·tr √(Σ1Σ2), in double, with tr √(Σ1Σ2) = Σ √λ_i(S·Σ2·S) where S = Σ1^½ comes from a
/// symmetric eigendecomposition (eigenvalues clamped at 0). No complex arithmetic, no non-symmetric square root.
/// </summary>
public static class FrechetDistance
{
    /// <summary>The distance; <paramref name="solver"/> defaults to the managed eigensolver.</summary>
    /// <exception cref="ArgumentException">
    /// Statistics of different sizes, non-finite values, or a covariance that is not symmetric positive semi-definite.
    /// </exception>
    public static double Compute(ReadOnlySpan<double> mu1, ReadOnlySpan<double> sigma1, ReadOnlySpan<double> mu2, ReadOnlySpan<double> sigma2,
        ISymmetricEigensolver? solver = null)
    {
        int d = mu1.Length;
        if (mu2.Length != d || sigma1.Length != d * d || sigma2.Length != d * d)
            throw new ArgumentException($"statistics do not match: means of {mu1.Length} and {mu2.Length}, covariances of {sigma1.Length} and {sigma2.Length} values");
        GaussianStatistics.Check(mu1, sigma1, "the first statistics");
        GaussianStatistics.Check(mu2, sigma2, "the second statistics");
        solver ??= new ManagedEigensolver();
        double diff = 0;
        for (int i = 0; i < d; i++) diff += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
        return diff + DenseMath.Trace(sigma1, d) + DenseMath.Trace(sigma2, d) - 2 * TraceSqrtProduct(sigma1, sigma2, d, solver);
    }

    /// <summary>tr √(Σ1·Σ2) for symmetric positive semi-definite Σ1, Σ2.</summary>
    public static double TraceSqrtProduct(ReadOnlySpan<double> sigma1, ReadOnlySpan<double> sigma2, int d, ISymmetricEigensolver solver)
    {
        ArgumentNullException.ThrowIfNull(solver);
        var (values, q) = solver.Decompose(sigma1, d, vectors: true);
        GaussianStatistics.CheckSemiDefinite(values, "the first statistics");
        // S = Q·diag(√λ)·Qᵀ: scale Q's columns, multiply by Qᵀ.
        var qScaled = new double[d * d];
        var qT = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                qScaled[i * d + j] = q![i * d + j] * Math.Sqrt(Math.Max(values[j], 0));
                qT[j * d + i] = q[i * d + j];
            }
        }
        var s = DenseMath.Multiply(qScaled, qT, d, d, d);
        var m = DenseMath.Multiply(DenseMath.Multiply(s, sigma2.ToArray(), d, d, d), s, d, d, d);
        for (int i = 0; i < d; i++)                                          // symmetrize away rounding
            for (int j = i + 1; j < d; j++) m[i * d + j] = m[j * d + i] = 0.5 * (m[i * d + j] + m[j * d + i]);
        var (eig, _) = solver.Decompose(m, d, vectors: false);
        GaussianStatistics.CheckSemiDefinite(eig, "the second statistics");
        return eig.Sum(v => Math.Sqrt(Math.Max(v, 0)));
    }
}
