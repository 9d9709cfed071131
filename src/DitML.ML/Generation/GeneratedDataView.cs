using DitML.Generation;
using Microsoft.ML;

namespace DitML.ML.Generation;

/// <summary>The lazy result of <see cref="DiffusionGenerateTransformer.Transform"/>: rows are generated when read.</summary>
internal sealed class GeneratedDataView : IDataView
{
    private readonly IDataView input;
    private readonly GenerationSchema schema;
    private readonly DiffusionGenerateOptions options;
    private readonly IImageGenerator generator;

    public GeneratedDataView(IDataView input, GenerationSchema schema, DiffusionGenerateOptions options, IImageGenerator generator)
    {
        this.input = input;
        this.schema = schema;
        this.options = options;
        this.generator = generator;
    }

    // Generation follows the input's order; a shuffled cursor would break the pairing of its two input cursors.
    public bool CanShuffle => false;

    public DataViewSchema Schema => schema.Output;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new GenerationCursor(input, schema, options, generator, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
