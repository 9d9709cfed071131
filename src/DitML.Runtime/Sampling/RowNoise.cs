namespace DitML.Sampling;

/// <summary>
/// A row's own stream of standard normal numbers, seeded by the row's seed alone, so that a row's sample never depends on
/// which rows share its batch. xoshiro256** seeded through SplitMix64; normals by the Box–Muller transform in double.
/// </summary>
public sealed class RowNoise
{
    private ulong s0, s1, s2, s3;
    private double spare;
    private bool hasSpare;

    /// <summary>Starts the stream of <paramref name="seed"/>.</summary>
    public RowNoise(long seed)
    {
        ulong x = unchecked((ulong)seed);
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <summary>The next standard normal value.</summary>
    public double NextGaussian()
    {
        if (hasSpare)
        {
            hasSpare = false;
            return spare;
        }
        double u1 = (NextUInt64() >> 11) * (1.0 / (1UL << 53)), u2 = (NextUInt64() >> 11) * (1.0 / (1UL << 53));
        double r = Math.Sqrt(-2 * Math.Log(1 - u1)), theta = 2 * Math.PI * u2; // 1 − u1 ∈ (0, 1]: log is finite
        spare = r * Math.Sin(theta);
        hasSpare = true;
        return r * Math.Cos(theta);
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal values.</summary>
    public void Fill(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)NextGaussian();
    }

    private ulong NextUInt64()
    {
        ulong result = RotateLeft(s1 * 5, 7) * 9, t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
