namespace DitML.Cli.Sweeps;

/// <summary>Enumerates the trials and sampling settings of a sweep.</summary>
public static class SweepPlanner
{
    /// <summary>
    /// Every combination of the training knobs, in order: depth, then hidden size, heads, patch, lr, batch (the last
    /// varies fastest), numbered from 0.
    /// </summary>
    public static IReadOnlyList<SweepTrial> Grid(SweepSpace space)
    {
        var s = Resolve(space);
        var trials = new List<SweepTrial>();
        foreach (int depth in s.Depth!)
            foreach (int width in s.HiddenSize!)
                foreach (int heads in s.Heads!)
                    foreach (int patch in s.Patch!)
                        foreach (double lr in s.Lr!)
                            foreach (int batch in s.Batch!)
                                trials.Add(new SweepTrial(trials.Count, depth, width, heads, patch, lr, batch));
        return trials;
    }

    /// <summary>
    /// <paramref name="count"/> grid combinations drawn without replacement with a generator seeded by
    /// <paramref name="seed"/> (all of them, shuffled, when the grid is smaller); the same seed draws the same trials.
    /// </summary>
    public static IReadOnlyList<SweepTrial> Random(SweepSpace space, int count, long seed)
    {
        var grid = Grid(space).ToArray();
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        random.Shuffle(grid);
        return grid.Take(Math.Min(count, grid.Length)).ToArray();
    }

    /// <summary>The trials a config starts with: the grid, or a random draw when <c>trials</c> is given (random search, halving).</summary>
    public static IReadOnlyList<SweepTrial> Trials(SweepConfig config)
    {
        var space = config.ResolvedSpace;
        return config.StrategyKind == SweepStrategy.Grid || config.Trials is null
            ? Grid(space)
            : Random(space, config.Trials.Value, config.Seed);
    }

    /// <summary>Every combination of the sampling knobs: guidance, then sampler, then sampling steps (fastest).</summary>
    public static IReadOnlyList<SweepSampling> Sampling(SweepSpace space)
    {
        var s = Resolve(space);
        return (from g in s.Guidance! from name in s.Sampler! from steps in s.SamplingSteps! select new SweepSampling(g, name, steps)).ToArray();
    }

    private static SweepSpace Resolve(SweepSpace space) => space with
    {
        Lr = space.Lr ?? [1e-4],
        Batch = space.Batch ?? [64],
        Guidance = space.Guidance ?? [1.5],
        Sampler = space.Sampler ?? ["dpm++"],
        SamplingSteps = space.SamplingSteps ?? [20],
    };
}
