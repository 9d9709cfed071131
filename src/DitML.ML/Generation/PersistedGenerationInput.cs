using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>Input row of the persisted generation mapping.</summary>
public sealed class PersistedGenerationInput
{
    /// <summary>The class.</summary>
    [ColumnName(PersistedGeneration.LabelColumn)] public long Label { get; set; }

    /// <summary>The row's seed.</summary>
    [ColumnName(PersistedGeneration.SeedColumn)] public long Seed { get; set; }

    /// <summary>The generation spec (see GenerationSpec), Base64 JSON.</summary>
    [ColumnName(PersistedGeneration.SpecColumn)] public string Spec { get; set; } = "";
}
