using System.Globalization;

namespace DitML.Diffusion;

/// <summary>
/// Which of the T training steps a sampler visits, as the official code's space_timesteps chooses them:
/// "N" (or "N1,N2,…" for sections) spreads N steps evenly with a fractional stride rounded half-to-even;
/// "ddimN" takes the integer stride that yields exactly N steps.
/// </summary>
public static class TimestepSpacing
{
    /// <summary>The kept steps in increasing order.</summary>
    /// <exception cref="ArgumentException">Naming the setting when the spacing is malformed or asks for more steps than exist.</exception>
    public static int[] Parse(int trainingSteps, string spacing)
    {
        ArgumentNullException.ThrowIfNull(spacing);
        if (trainingSteps <= 0) throw new ArgumentOutOfRangeException(nameof(trainingSteps), trainingSteps, "training steps must be positive");
        spacing = spacing.Trim();
        if (spacing.StartsWith("ddim", StringComparison.OrdinalIgnoreCase))
        {
            int desired = ParseCount(spacing[4..], spacing);
            for (int stride = 1; stride < trainingSteps; stride++)
            {
                if ((trainingSteps + stride - 1) / stride == desired)
                    return Enumerable.Range(0, desired).Select(i => i * stride).ToArray();
            }
            throw new ArgumentException($"steps: cannot take exactly {desired} steps with an integer stride over {trainingSteps} (spacing '{spacing}')", nameof(spacing));
        }

        var counts = spacing.Split(',').Select(s => ParseCount(s, spacing)).ToArray();
        int sizePer = trainingSteps / counts.Length, extra = trainingSteps % counts.Length, start = 0;
        var steps = new SortedSet<int>();
        for (int i = 0; i < counts.Length; i++)
        {
            int size = sizePer + (i < extra ? 1 : 0);
            if (size < counts[i])
                throw new ArgumentException($"steps: cannot take {counts[i]} steps from a section of {size} training steps (spacing '{spacing}')", nameof(spacing));
            double stride = counts[i] <= 1 ? 1 : (size - 1) / (double)(counts[i] - 1);
            double current = 0;
            for (int k = 0; k < counts[i]; k++)
            {
                steps.Add(start + (int)Math.Round(current, MidpointRounding.ToEven));
                current += stride;
            }
            start += size;
        }
        return steps.ToArray();
    }

    private static int ParseCount(string text, string spacing)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n <= 0)
            throw new ArgumentException($"steps: '{spacing}' is not a positive step count (use e.g. \"250\", \"ddim50\" or \"10,15,20\")", nameof(spacing));
        return n;
    }
}
