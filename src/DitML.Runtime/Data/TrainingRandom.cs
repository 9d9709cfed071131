namespace DitML.Data;

/// <summary>
/// DitML's own random number generator for training draws made in .NET (batch shuffles, flip coins): SplitMix64
/// (Steele, Lea and Flood, 2014; the seeding generator of xoshiro), fully specified here, so a seed gives the same
/// sequence on every .NET version and OS. <see cref="System.Random"/>'s seeded sequence is not promised across .NET
/// versions, and an exact resume must not depend on it.
/// </summary>
/// <remarks>
/// State s advances by the golden-ratio increment 0x9E3779B97F4A7C15; each output is s mixed by
/// z = (z ^ z≫30)·0xBF58476D1CE4E5B9, z = (z ^ z≫27)·0x94D049BB133111EB, z ^ z≫31. <see cref="Next(int)"/> maps an
/// output to [0, n) by Lemire's multiply-and-reject method (unbiased); <see cref="Shuffle"/> is Fisher–Yates from the
/// last element down.
/// </remarks>
public struct TrainingRandom
{
    private ulong state;

    /// <summary>Seeds the generator (any value; e.g. <see cref="DerivedSeed.Of"/> of a run's seed and a step).</summary>
    public TrainingRandom(long seed) => state = unchecked((ulong)seed);

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        unchecked
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is not positive.</exception>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong n = (ulong)maxExclusive;
        // Lemire: the high 64 bits of a 64×64-bit product, rejecting the few low parts that would bias it.
        ulong high = Math.BigMul(NextUInt64(), n, out ulong low);
        if (low < n)
        {
            ulong threshold = unchecked(0UL - n) % n;
            while (low < threshold) high = Math.BigMul(NextUInt64(), n, out low);
        }
        return (int)high;
    }

    /// <summary>A fair coin.</summary>
    public bool NextBool() => (NextUInt64() >> 63) == 1;

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates: each of the n! orders equally likely).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
