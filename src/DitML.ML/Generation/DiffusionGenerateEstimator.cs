using DitML.Generation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>
/// Estimator for <see cref="DiffusionGenerateTransformer"/>. Nothing is learned: <see cref="Fit"/> checks the input's
/// label and seed columns and returns the transformer. Create it with
/// <c>mlContext.Transforms.DiffusionGenerate(...)</c>.
/// </summary>
public sealed class DiffusionGenerateEstimator : IEstimator<DiffusionGenerateTransformer>
{
    private readonly Func<IImageGenerator> createGenerator;
    private readonly DiffusionGenerateOptions options;
    private readonly bool ownsGenerator;

    private readonly GenerationSpec? spec;

    internal DiffusionGenerateEstimator(Func<IImageGenerator> createGenerator, DiffusionGenerateOptions options, bool ownsGenerator, GenerationSpec? spec = null)
    {
        this.createGenerator = createGenerator;
        this.options = options.Validate();
        this.ownsGenerator = ownsGenerator;
        this.spec = spec;
    }

    /// <inheritdoc />
    public DiffusionGenerateTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new DiffusionGenerateTransformer(createGenerator(), options, ownsGenerator, spec, input.Schema);
        transformer.GetOutputSchema(input.Schema); // validates the columns now, not at the first cursor
        return transformer;
    }

    /// <summary>
    /// The input's columns plus the image and pixel columns. Checks the label and seed columns; opens no model (image
    /// sizes are not part of a SchemaShape, and the fitted transformer's schema has them).
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var name in new[] { options.LabelColumnName, options.SeedColumnName })
        {
            if (!SchemaShapes.Has(inputSchema, name))
                throw new ArgumentException($"input has no column '{name}' (columns: {string.Join(", ", inputSchema.Select(c => c.Name))})");
        }
        return GenerationSchema.OutputShape(inputSchema, options);
    }
}
