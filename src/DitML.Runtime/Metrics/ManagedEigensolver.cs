namespace DitML.Metrics;

/// <summary>
/// A torch-free symmetric eigensolver: Householder reduction to tridiagonal form, then the implicit QL algorithm
/// (the classic tred2/tql2 pair), in double. O(n³); the TorchSharp layer offers LAPACK's for large n.
/// </summary>
public sealed class ManagedEigensolver : ISymmetricEigensolver
{
    /// <inheritdoc />
    public (double[] Values, double[]? Vectors) Decompose(ReadOnlySpan<double> matrix, int n, bool vectors)
    {
        if (matrix.Length != n * n) throw new ArgumentException($"expected {n}×{n} = {n * n} values, got {matrix.Length}", nameof(matrix));
        var v = matrix.ToArray();
        var d = new double[n];
        var e = new double[n];
        Tridiagonalize(v, d, e, n);
        Ql(v, d, e, n);
        return (d, vectors ? v : null);
    }

    // Householder tridiagonalization; on exit v holds the accumulated orthogonal transform, d the diagonal, e the
    // subdiagonal (e[0] = 0).
    private static void Tridiagonalize(double[] v, double[] d, double[] e, int n)
    {
        for (int j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
        for (int i = n - 1; i > 0; i--)
        {
            double scale = 0, h = 0;
            for (int k = 0; k < i; k++) scale += Math.Abs(d[k]);
            if (scale == 0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0;
                    v[j * n + i] = 0;
                }
            }
            else
            {
                for (int k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1], g = Math.Sqrt(h);
                if (f > 0) g = -g;
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++) e[j] = 0;
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    v[j * n + i] = f;
                    g = e[j] + v[j * n + j] * f;
                    for (int k = j + 1; k <= i - 1; k++)
                    {
                        g += v[k * n + j] * d[k];
                        e[k] += v[k * n + j] * f;
                    }
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) e[j] -= hh * d[j];
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0;
                }
            }
            d[i] = h;
        }
        // Accumulate the transformations.
        for (int i = 0; i < n - 1; i++)
        {
            v[(n - 1) * n + i] = v[i * n + i];
            v[i * n + i] = 1;
            double h = d[i + 1];
            if (h != 0)
            {
                for (int k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
                for (int j = 0; j <= i; j++)
                {
                    double g = 0;
                    for (int k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
                    for (int k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
                }
            }
            for (int k = 0; k <= i; k++) v[k * n + i + 1] = 0;
        }
        for (int j = 0; j < n; j++)
        {
            d[j] = v[(n - 1) * n + j];
            v[(n - 1) * n + j] = 0;
        }
        v[(n - 1) * n + n - 1] = 1;
        e[0] = 0;
    }

    // Implicit QL with shifts on the tridiagonal (d, e), applying the rotations to v; eigenvalues sorted ascending.
    private static void Ql(double[] v, double[] d, double[] e, int n)
    {
        for (int i = 1; i < n; i++) e[i - 1] = e[i];
        e[n - 1] = 0;
        double f = 0, tst1 = 0, eps = Math.Pow(2, -52);
        for (int l = 0; l < n; l++)
        {
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n && Math.Abs(e[m]) > eps * tst1) m++;
            if (m > l)
            {
                do
                {
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Hypot(p, 1);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1], h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;
                    p = d[m];
                    double c = 1, c2 = c, c3 = c, el1 = e[l + 1], s = 0, s2 = 0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        for (int k = 0; k < n; k++)
                        {
                            h = v[k * n + i + 1];
                            v[k * n + i + 1] = s * v[k * n + i] + c * h;
                            v[k * n + i] = c * v[k * n + i] - s * h;
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                }
                while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
        // Sort ascending (selection sort keeps the vector columns paired).
        for (int i = 0; i < n - 1; i++)
        {
            int k = i;
            double p = d[i];
            for (int j = i + 1; j < n; j++)
            {
                if (d[j] < p)
                {
                    k = j;
                    p = d[j];
                }
            }
            if (k == i) continue;
            d[k] = d[i];
            d[i] = p;
            for (int j = 0; j < n; j++) (v[j * n + i], v[j * n + k]) = (v[j * n + k], v[j * n + i]);
        }
    }

    private static double Hypot(double a, double b) => Math.Sqrt(a * a + b * b);
}
