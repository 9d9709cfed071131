using static TorchSharp.torch;

namespace DitML.Metrics;

/// <summary>
/// <see cref="FrechetDistance"/>'s computation on libtorch in double (LAPACK, BLAS). When Σ1 is positive definite it
/// takes its Cholesky factor L (Σ1 = L·Lᵀ): Lᵀ·Σ2·L is symmetric and similar to Σ1·Σ2, so tr √(Σ1Σ2) = Σ √λ(Lᵀ·Σ2·L)
/// needs only eigenvalues — one call instead of a full eigendecomposition. A singular Σ1 (fewer samples than
/// dimensions) falls back to the route with S = Σ1^½.
/// </summary>
public static class TorchFrechetDistance
{
    /// <summary>The Fréchet distance between N(μ1, Σ1) and N(μ2, Σ2).</summary>
    public static double Compute(double[] mu1, double[] sigma1, double[] mu2, double[] sigma2)
    {
        ArgumentNullException.ThrowIfNull(mu1);
        int d = mu1.Length;
        if (mu2.Length != d || sigma1.Length != d * d || sigma2.Length != d * d)
            throw new ArgumentException($"statistics do not match: means of {mu1.Length} and {mu2.Length}, covariances of {sigma1.Length} and {sigma2.Length} values");
        using var scope = NewDisposeScope();
        var m1 = tensor(mu1, dtype: float64);
        var m2 = tensor(mu2, dtype: float64);
        var s1 = tensor(sigma1, [d, d], dtype: float64);
        var s2 = tensor(sigma2, [d, d], dtype: float64);
        var (l, info) = linalg.cholesky_ex(s1);
        Tensor m;
        if (info.item<int>() == 0)
        {
            m = l.t().matmul(s2).matmul(l);                                    // similar to Σ1·Σ2
        }
        else
        {
            var (values, q) = linalg.eigh(s1);
            var s = (q * values.clamp(min: 0).sqrt().unsqueeze(0)).matmul(q.t()); // Σ1^½
            m = s.matmul(s2).matmul(s);
        }
        m = (m + m.t()) / 2;
        double traceSqrt = linalg.eigvalsh(m).clamp(min: 0).sqrt().sum().item<double>();
        return (m1 - m2).square().sum().item<double>() + s1.trace().item<double>() + s2.trace().item<double>() - 2 * traceSqrt;
    }
}
