using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>
/// Input row of the saved generation mapping (contract <c>DitML.DiffusionGenerate.v2</c>). The label and seed arrive as
/// the text ML.NET's ConvertType writes of any numeric column, so every type the in-memory transformer takes (Single
/// labels, UInt64 seeds past <see cref="long.MaxValue"/>) is read exactly as it reads it.
/// </summary>
public sealed class SizedGenerationInput
{
    /// <summary>The class, as text.</summary>
    [ColumnName(PersistedGeneration.LabelColumn)] public string Label { get; set; } = "";

    /// <summary>The row's seed, as text.</summary>
    [ColumnName(PersistedGeneration.SeedColumn)] public string Seed { get; set; } = "";

    /// <summary>The generation spec (see GenerationSpec), Base64 JSON.</summary>
    [ColumnName(PersistedGeneration.SpecColumn)] public string Spec { get; set; } = "";
}
