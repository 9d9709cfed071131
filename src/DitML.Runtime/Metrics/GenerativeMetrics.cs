namespace DitML.Metrics;

/// <summary>Inception Score, improved precision and recall, and class-conditional accuracy.</summary>
public static class GenerativeMetrics
{
    /// <summary>
    /// Inception Score: exp(mean KL(p(y|x) ‖ p(y))) within each of <paramref name="splits"/> equal splits; returns the
    /// mean and standard deviation over the splits (as the ADM evaluator reports it). <paramref name="probabilities"/>
    /// is N×K, each row a distribution.
    /// </summary>
    public static (double Mean, double Std) InceptionScore(ReadOnlySpan<float> probabilities, int classes, int splits = 10)
    {
        int n = probabilities.Length / classes;
        if (n < splits || probabilities.Length % classes != 0)
            throw new ArgumentException($"{n} samples cannot form {splits} splits of {classes}-class probabilities");
        var scores = new double[splits];
        for (int s = 0; s < splits; s++)
        {
            int start = s * n / splits, end = (s + 1) * n / splits;
            var marginal = new double[classes];
            for (int i = start; i < end; i++)
                for (int k = 0; k < classes; k++) marginal[k] += probabilities[i * classes + k] / (double)(end - start);
            double kl = 0;
            for (int i = start; i < end; i++)
                for (int k = 0; k < classes; k++)
                {
                    double p = probabilities[i * classes + k];
                    if (p > 0) kl += p * (Math.Log(p) - Math.Log(marginal[k]));
                }
            scores[s] = Math.Exp(kl / (end - start));
        }
        double mean = scores.Average();
        return (mean, Math.Sqrt(scores.Sum(v => (v - mean) * (v - mean)) / splits));
    }

    /// <summary>
    /// Improved precision and recall (Kynkäänniemi et al. 2019): a sample is inside a set's manifold when it lies within
    /// the k-th nearest-neighbour radius of some member. Precision: share of fake samples inside the real manifold;
    /// recall: share of real samples inside the fake manifold. Features are N×D row-major.
    /// </summary>
    public static (double Precision, double Recall) PrecisionRecall(ReadOnlySpan<float> real, ReadOnlySpan<float> fake, int dimension, int k = 3)
    {
        var r = ToDouble(real);
        var f = ToDouble(fake);
        var realRadii = KthNeighbourRadii(r, dimension, k);
        var fakeRadii = KthNeighbourRadii(f, dimension, k);
        return (Coverage(f, r, realRadii, dimension), Coverage(r, f, fakeRadii, dimension));
    }

    /// <summary>
    /// At most <paramref name="max"/> rows of N×D <paramref name="features"/>, evenly spaced (all of them when N ≤ max):
    /// precision/recall cost O(N²), so large sets are thinned deterministically.
    /// </summary>
    public static float[] EvenSubsample(float[] features, int dimension, int max = 5000)
    {
        ArgumentNullException.ThrowIfNull(features);
        int n = features.Length / dimension;
        if (n <= max) return features;
        var result = new float[max * dimension];
        for (int i = 0; i < max; i++) features.AsSpan((int)((long)i * n / max) * dimension, dimension).CopyTo(result.AsSpan(i * dimension, dimension));
        return result;
    }

    /// <summary>How often the classifier's most likely class equals the class each sample was generated for.</summary>
    public static double ClassAccuracy(ReadOnlySpan<float> probabilities, ReadOnlySpan<long> requested, int classes)
    {
        if (probabilities.Length != requested.Length * classes)
            throw new ArgumentException($"{probabilities.Length} probabilities do not match {requested.Length} samples of {classes} classes");
        int hits = 0;
        for (int i = 0; i < requested.Length; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            if (best == requested[i]) hits++;
        }
        return hits / (double)requested.Length;
    }

    private static double[] ToDouble(ReadOnlySpan<float> x)
    {
        var d = new double[x.Length];
        for (int i = 0; i < x.Length; i++) d[i] = x[i];
        return d;
    }

    private static double Distance2(double[] a, int i, double[] b, int j, int d)
    {
        double s = 0;
        for (int t = 0; t < d; t++)
        {
            double v = a[i * d + t] - b[j * d + t];
            s += v * v;
        }
        return s;
    }

    /// <summary>Squared distance of each member to its k-th nearest other member.</summary>
    private static double[] KthNeighbourRadii(double[] x, int d, int k)
    {
        int n = x.Length / d;
        if (n <= k) throw new ArgumentException($"{n} samples are too few for k = {k} nearest neighbours");
        var radii = new double[n];
        Parallel.For(0, n, i =>
        {
            var best = new double[k + 1];
            Array.Fill(best, double.PositiveInfinity);
            for (int j = 0; j < n; j++)
            {
                double dist = Distance2(x, i, x, j, d);                     // includes itself at distance 0, as the reference does
                if (dist >= best[k]) continue;
                int p = k;
                while (p > 0 && best[p - 1] > dist) { best[p] = best[p - 1]; p--; }
                best[p] = dist;
            }
            radii[i] = best[k];
        });
        return radii;
    }

    private static double Coverage(double[] queries, double[] members, double[] radii, int d)
    {
        int nq = queries.Length / d, nm = members.Length / d, inside = 0;
        Parallel.For(0, nq, () => 0, (i, _, count) =>
        {
            for (int j = 0; j < nm; j++)
                if (Distance2(queries, i, members, j, d) <= radii[j]) return count + 1;
            return count;
        }, c => Interlocked.Add(ref inside, c));
        return inside / (double)nq;
    }
}
