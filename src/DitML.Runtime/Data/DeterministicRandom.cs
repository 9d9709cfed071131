namespace DitML.Data;

/// <summary>
/// SplitMix64: a tiny generator with a fixed, documented algorithm. Used instead of <see cref="Random"/>, whose seeded
/// sequence is not promised to stay the same across .NET versions, so data order is reproducible anywhere.
/// </summary>
internal struct DeterministicRandom
{
    private ulong _state;

    public DeterministicRandom(ulong seed) => _state = seed;

    /// <summary>The SplitMix64 finalizer: a bijective 64-bit mix (also used to derive independent streams).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A hash of the inputs, well mixed in every bit.</summary>
    public static ulong Hash(ulong a, ulong b, ulong c) =>
        Mix(Mix(Mix(a + 0x9E3779B97F4A7C15UL) ^ b) + 0x9E3779B97F4A7C15UL ^ c);

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, bound) without modulo bias (Lemire's multiply-shift with rejection).</summary>
    public int NextInt(int bound)
    {
        ulong range = (ulong)bound;
        ulong threshold = (0UL - range) % range;
        while (true)
        {
            ulong high = Math.BigMul(NextUInt64(), range, out ulong low);
            if (low >= threshold) return (int)high;
        }
    }
}
