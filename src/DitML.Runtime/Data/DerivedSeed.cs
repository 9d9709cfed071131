namespace DitML.Data;

/// <summary>
/// Seeds derived from a run's seed: one per row, training step or epoch, so that each depends only on (seed, index) —
/// never on the batch it falls in or on how far a resumed run had come. Every DitML seed stream is derived here.
/// </summary>
public static class DerivedSeed
{
    // An odd prime multiplier keeps (seed, index) pairs of small seeds and indices apart: seed·p + i never repeats for
    // |i| < p, and wraps (unchecked) rather than throws for large seeds.
    private const long Multiplier = 1_000_003L;

    /// <summary>The seed of item <paramref name="index"/> of the stream seeded by <paramref name="seed"/>.</summary>
    public static long Of(long seed, long index) => unchecked(seed * Multiplier + index);

    /// <summary><see cref="Of"/> as a non-negative <see cref="int"/>, for <see cref="Random(int)"/> (deterministic across processes).</summary>
    public static int ForRandom(long seed, long index) => (int)(Of(seed, index) & 0x7fffffff);
}
