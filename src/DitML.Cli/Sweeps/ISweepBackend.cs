namespace DitML.Cli.Sweeps;

/// <summary>Trains and scores trials; the real one is <see cref="DiTSweepBackend"/>, tests use fakes.</summary>
public interface ISweepBackend
{
    /// <summary>
    /// Trains <paramref name="trial"/> in its run folder <paramref name="directory"/> until it has used
    /// <paramref name="total"/> (cumulative steps or minutes since the trial began), starting it or resuming it from
    /// its checkpoint. Returns the optimizer steps done in total.
    /// </summary>
    long Train(SweepTrial trial, string directory, SweepBudget total, CancellationToken cancellation);

    /// <summary>Scores the trained trial under every sampling setting.</summary>
    SweepRungResult Evaluate(SweepTrial trial, string directory, int rung, long steps, IReadOnlyList<SweepSampling> sampling);
}
