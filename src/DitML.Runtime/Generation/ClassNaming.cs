namespace DitML.Generation;

/// <summary>Finding a class id by name, and checking a list of class names.</summary>
public static class ClassNaming
{
    /// <summary>
    /// The id of <paramref name="name"/> in <paramref name="names"/>: the exact match, else the one case-insensitive match.
    /// </summary>
    /// <param name="names">Class names in id order; null when the model has none.</param>
    /// <param name="name">The name looked for.</param>
    /// <param name="owner">What the names belong to, for the message ("the model", a file name).</param>
    /// <exception cref="ArgumentException">No names, or no single match (listing the names).</exception>
    public static long Find(IReadOnlyList<string>? names, string name, string owner)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (names is null)
            throw new ArgumentException($"'{name}' is a class name, and {owner} has no class names (export it with `ditml export-onnx --class-names FILE`, or give class ids)");
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], name, StringComparison.Ordinal)) return i;
        var matches = Enumerable.Range(0, names.Count).Where(i => string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 1) return matches[0];
        throw new ArgumentException($"'{name}' is not a class of {owner} (classes: {string.Join(", ", names)})");
    }

    /// <summary>Checks that <paramref name="names"/> names <paramref name="count"/> classes, each once, none blank.</summary>
    /// <exception cref="ArgumentException">Naming the problem.</exception>
    public static void Check(IReadOnlyList<string> names, int count, string source)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count != count) throw new ArgumentException($"{source} names {names.Count} classes; the model has {count}");
        for (int i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i])) throw new ArgumentException($"{source}: class {i} has a blank name");
            if (names[i].Contains(',', StringComparison.Ordinal)) throw new ArgumentException($"{source}: class {i}'s name '{names[i]}' has a comma (names are given comma-separated to `ditml sample --classes`)");
        }
        var repeated = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (repeated != null) throw new ArgumentException($"{source}: the name '{repeated.Key}' is given to more than one class");
    }
}
