namespace DitML.ML.Generation;

/// <summary>
/// The column names and batch size of a saved DiffusionGenerate, kept in its <see cref="GenerationSpec"/> so that
/// <c>mlContext.Generation().LoadModel</c> can restore the batched transformer (progress and cancellation are not saved).
/// </summary>
/// <param name="Label">The label column read.</param>
/// <param name="Seed">The seed column read.</param>
/// <param name="Image">The image column added.</param>
/// <param name="Pixels">The pixel column added.</param>
/// <param name="BatchSize">Rows generated together.</param>
internal sealed record GenerationColumns(string Label, string Seed, string Image, string Pixels, int BatchSize)
{
    /// <summary>The columns and batch size of <paramref name="options"/>.</summary>
    public static GenerationColumns Of(DiffusionGenerateOptions options) =>
        new(options.LabelColumnName, options.SeedColumnName, options.ImageColumnName, options.PixelsColumnName, options.BatchSize);

    /// <summary>Options generating into these columns.</summary>
    public DiffusionGenerateOptions ToOptions() => new()
    {
        LabelColumnName = Label,
        SeedColumnName = Seed,
        ImageColumnName = Image,
        PixelsColumnName = Pixels,
        BatchSize = BatchSize,
    };
}
