using System.Globalization;

namespace DitML.Precision;

/// <summary>The names of <see cref="ComputePrecision"/> values on the command line and in messages: "fp32", "bf16".</summary>
public static class ComputePrecisionNames
{
    /// <summary>The names accepted by <see cref="Parse"/>, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = Enum.GetValues<ComputePrecision>().Select(Format).ToArray();

    /// <summary>"fp32" or "bf16".</summary>
    public static string Format(ComputePrecision precision) => precision.ToString().ToLower(CultureInfo.InvariantCulture);

    /// <summary>The precision named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the known ones).</exception>
    public static ComputePrecision Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var precision in Enum.GetValues<ComputePrecision>())
            if (string.Equals(Format(precision), name.Trim(), StringComparison.OrdinalIgnoreCase)) return precision;
        throw new ArgumentException($"--precision must be one of {string.Join(", ", All)}, got '{name}'", nameof(name));
    }
}
