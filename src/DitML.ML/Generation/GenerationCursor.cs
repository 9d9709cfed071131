using DitML.Generation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>
/// Generates lazily, a batch at a time, as the cursor advances. One input cursor serves the pass-through columns row by
/// row; a second one, ahead of it, reads the labels and seeds of the next batch. Nothing is generated when neither
/// generated column is active.
/// </summary>
internal sealed class GenerationCursor : DataViewRowCursor
{
    private readonly GenerationSchema schema;
    private readonly IImageGenerator generator;
    private readonly int batchSize;
    private readonly DiffusionGenerateOptions options;
    private readonly DataViewRowCursor main;
    private readonly DataViewRowCursor? ahead;
    private readonly ConditioningColumns? conditioning;
    private readonly bool[] active;
    private readonly float[] pixels;
    private readonly long[] labels;
    private readonly long[] seeds;
    private int count;
    private int index = -1;

    public GenerationCursor(IDataView input, GenerationSchema schema, DiffusionGenerateOptions options, IImageGenerator generator,
        IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        this.schema = schema;
        this.generator = generator;
        batchSize = options.BatchSize;
        this.options = options;
        var needed = columnsNeeded.ToList();
        active = new bool[schema.Output.Count];
        foreach (var c in needed) active[c.Index] = true;
        main = input.GetRowCursor(schema.InputColumns(needed));
        if (schema.NeedsGeneration(needed))
        {
            ahead = input.GetRowCursor(ConditioningColumns.Required(input.Schema, options));
            conditioning = new ConditioningColumns(ahead, options, generator.NumClasses, generator.ClassNames);
        }
        labels = new long[batchSize];
        seeds = new long[batchSize];
        pixels = new float[ahead == null ? 0 : batchSize * GeneratedImages.PixelCount(generator)];
    }

    public override DataViewSchema Schema => schema.Output;

    public override long Position => main.Position;

    public override long Batch => main.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => main.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

    public override bool MoveNext()
    {
        if (!main.MoveNext()) return false;
        if (ahead != null && ++index >= count) FillBatch();
        return true;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!active[column.Index]) throw new InvalidOperationException($"column '{column.Name}' is not active in this cursor");
        if (column.Index < schema.Input.Count) return main.GetGetter<TValue>(schema.Input[column.Index]);
        int size = GeneratedImages.PixelCount(generator);
        if (column.Index == schema.ImageIndex)
        {
            ValueGetter<MLImage> image = (ref MLImage value) =>
                value = GeneratedImages.ToImage(pixels.AsSpan(index * size, size), generator.Channels, generator.Height, generator.Width);
            return (ValueGetter<TValue>)(Delegate)image;
        }
        ValueGetter<VBuffer<float>> vector = (ref VBuffer<float> value) =>
        {
            var editor = VBufferEditor.Create(ref value, size);
            GeneratedImages.ClampInto(pixels.AsSpan(index * size, size), editor.Values);
            value = editor.Commit();
        };
        return (ValueGetter<TValue>)(Delegate)vector;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            main.Dispose();
            ahead?.Dispose();
        }
        base.Dispose(disposing);
    }

    private void FillBatch()
    {
        count = 0;
        while (count < batchSize && ahead!.MoveNext())
        {
            (labels[count], seeds[count]) = conditioning!.Read();
            count++;
        }
        if (count == 0) throw new InvalidOperationException("the input ended before the cursor did");
        int size = GeneratedImages.PixelCount(generator);
        generator.Generate(labels.AsSpan(0, count), seeds.AsSpan(0, count), pixels.AsSpan(0, count * size), options.Progress, options.CancellationToken);
        index = 0;
    }
}
