namespace DitML.Cli.Sweeps;

/// <summary>What ranks the trials.</summary>
public enum SweepMetric
{
    /// <summary>Share of samples the classifier assigns to the requested class (higher is better).</summary>
    ClassAccuracy,

    /// <summary>Fréchet distance of the classifier's features to the reference statistics (lower is better).</summary>
    Fid,
}
