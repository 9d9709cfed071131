using DitML.Generation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>Row-at-a-time generation, for prediction engines: a row generates when first read.</summary>
internal sealed class GenerationRowMapper : IRowToRowMapper
{
    private readonly GenerationSchema schema;
    private readonly DiffusionGenerateOptions options;
    private readonly IImageGenerator generator;

    public GenerationRowMapper(GenerationSchema schema, DiffusionGenerateOptions options, IImageGenerator generator)
    {
        this.schema = schema;
        this.options = options;
        this.generator = generator;
    }

    public DataViewSchema InputSchema => schema.Input;

    public DataViewSchema OutputSchema => schema.Output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var columns = dependingColumns.ToList();
        var inputs = schema.InputColumns(columns).ToList();
        if (schema.NeedsGeneration(columns)) inputs.AddRange(ConditioningColumns.Required(schema.Input, options));
        return inputs.DistinctBy(c => c.Index);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new MappedRow(this, input, activeColumns.ToList());

    private sealed class MappedRow : DataViewRow
    {
        private readonly GenerationRowMapper mapper;
        private readonly DataViewRow input;
        private readonly bool[] active;
        private readonly ConditioningColumns? conditioning;
        private readonly float[] pixels;
        private (long Label, long Seed)? generatedFor;

        public MappedRow(GenerationRowMapper mapper, DataViewRow input, List<DataViewSchema.Column> activeColumns)
        {
            this.mapper = mapper;
            this.input = input;
            active = new bool[mapper.schema.Output.Count];
            foreach (var c in activeColumns) active[c.Index] = true;
            if (mapper.schema.NeedsGeneration(activeColumns))
                conditioning = new ConditioningColumns(input, mapper.options, mapper.generator.NumClasses, mapper.generator.ClassNames);
            pixels = new float[GeneratedImages.PixelCount(mapper.generator)];
        }

        public override DataViewSchema Schema => mapper.schema.Output;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active[column.Index]) throw new InvalidOperationException($"column '{column.Name}' is not active in this row");
            var s = mapper.schema;
            if (column.Index < s.Input.Count) return input.GetGetter<TValue>(s.Input[column.Index]);
            var g = mapper.generator;
            if (column.Index == s.ImageIndex)
            {
                ValueGetter<MLImage> image = (ref MLImage value) => value = GeneratedImages.ToImage(Current(), g.Channels, g.Height, g.Width);
                return (ValueGetter<TValue>)(Delegate)image;
            }
            ValueGetter<VBuffer<float>> vector = (ref VBuffer<float> value) =>
            {
                var editor = VBufferEditor.Create(ref value, pixels.Length);
                GeneratedImages.ClampInto(Current(), editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)vector;
        }

        private ReadOnlySpan<float> Current()
        {
            // A prediction engine reuses one row object: regenerate whenever the label or seed changed, so reading
            // both generated columns of one row costs one generation.
            var key = conditioning!.Read();
            if (generatedFor != key)
            {
                mapper.generator.Generate([key.Label], [key.Seed], pixels, mapper.options.Progress, mapper.options.CancellationToken);
                generatedFor = key;
            }
            return pixels;
        }
    }
}
