namespace DitML.Models;

/// <summary>One of the DiT paper's four model sizes (Table 1): depth, width and heads; the MLP ratio is 4.</summary>
/// <param name="Name">"S", "B", "L" or "XL".</param>
/// <param name="Depth">Number of transformer blocks.</param>
/// <param name="HiddenSize">Token width D.</param>
/// <param name="NumHeads">Attention heads.</param>
public sealed record DiTModelSize(string Name, int Depth, int HiddenSize, int NumHeads)
{
    /// <summary>DiT-S: 12 blocks, width 384, 6 heads.</summary>
    public static DiTModelSize S { get; } = new("S", 12, 384, 6);

    /// <summary>DiT-B: 12 blocks, width 768, 12 heads.</summary>
    public static DiTModelSize B { get; } = new("B", 12, 768, 12);

    /// <summary>DiT-L: 24 blocks, width 1024, 16 heads.</summary>
    public static DiTModelSize L { get; } = new("L", 24, 1024, 16);

    /// <summary>DiT-XL: 28 blocks, width 1152, 16 heads.</summary>
    public static DiTModelSize XL { get; } = new("XL", 28, 1152, 16);

    /// <summary>The four sizes, smallest first.</summary>
    public static IReadOnlyList<DiTModelSize> All { get; } = [S, B, L, XL];

    /// <summary>The patch sizes the paper trains each size with.</summary>
    public static IReadOnlyList<int> PaperPatchSizes { get; } = [2, 4, 8];
}
