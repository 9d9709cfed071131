namespace DitML.Cli.Sweeps;

/// <summary>How trials are chosen and trained.</summary>
public enum SweepStrategy
{
    /// <summary>Every combination of the training knobs, each trained for the budget.</summary>
    Grid,

    /// <summary><c>trials</c> combinations drawn without replacement (deterministic per seed), each trained for the budget.</summary>
    Random,

    /// <summary>Successive halving: all combinations (or <c>trials</c> drawn at random) start; each rung keeps the best 1/eta and trains them eta times longer.</summary>
    Halving,
}
