using DitML.Numpy;

namespace DitML.Metrics;

/// <summary>Feature statistics in pytorch-fid's layout: an .npz with "mu" (D) and "sigma" (D×D), float64.</summary>
public static class StatisticsFile
{
    /// <summary>Writes mean and covariance.</summary>
    public static void Save(string path, double[] mean, double[] covariance)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        long d = mean.Length;
        if (covariance.Length != d * d) throw new ArgumentException($"covariance of {covariance.Length} values does not match {d} dimensions");
        NpyWriter.SaveNpz(path, [("mu", mean, [d]), ("sigma", covariance, [d, d])]);
    }

    /// <summary>Reads mean and covariance.</summary>
    /// <exception cref="InvalidDataException">
    /// The file lacks "mu" or "sigma", their shapes disagree, or they hold non-finite values or a covariance that is not
    /// symmetric (naming the file).
    /// </exception>
    public static (double[] Mean, double[] Covariance) Load(string path)
    {
        var arrays = NpyArray.ReadNpz(path);
        if (!arrays.TryGetValue("mu", out var mu) || !arrays.TryGetValue("sigma", out var sigma))
            throw new InvalidDataException($"{path}: not a statistics file (pytorch-fid layout needs 'mu' and 'sigma'; it has {string.Join(", ", arrays.Keys)})");
        long d = mu.Shape.Aggregate(1L, (a, b) => a * b);
        if (sigma.Shape.Length != 2 || sigma.Shape[0] != d || sigma.Shape[1] != d)
            throw new InvalidDataException($"{path}: 'sigma' has shape ({string.Join(", ", sigma.Shape)}), expected ({d}, {d})");
        var (mean, covariance) = (mu.ToDoubles(), sigma.ToDoubles());
        try
        {
            GaussianStatistics.Check(mean, covariance, path);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        return (mean, covariance);
    }
}
