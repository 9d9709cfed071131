using System.Collections.Concurrent;
using DitML.Generation;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;

namespace DitML.ML.Generation;

/// <summary>
/// How a DiffusionGenerate transformer is saved with <c>mlContext.Model.Save</c>. ML.NET keeps its persistence hooks
/// internal, so the transformer saves itself as a chain of ML.NET's own persistable transforms that does the same work:
/// an Expression column holding the generation spec (model path, its SHA-256 and the sampler settings), type
/// conversions of the label and seed, and a CustomMapping (contract <see cref="ContractName"/>) whose factory regenerates
/// from the spec. After <c>mlContext.Model.Load</c> (with DitML registered: <c>mlContext.RegisterDitML()</c>) that
/// chain generates the same images row by row.
/// </summary>
internal static class PersistedGeneration
{
    /// <summary>The CustomMapping contract of DitML's generation.</summary>
    public const string ContractName = "DitML.DiffusionGenerate.v1";

    internal const string SpecColumn = "__ditml_spec";
    internal const string LabelColumn = "__ditml_label";
    internal const string SeedColumn = "__ditml_seed";
    internal const string PixelsColumn = "__ditml_pixels";
    internal const string ImageColumn = "__ditml_image";

    /// <summary>The ML.NET-native chain equivalent to a transformer, fitted on the transformer's input schema.</summary>
    public static ITransformer Build(GenerationSpec spec, DiffusionGenerateOptions options, DataViewSchema inputSchema, IImageGenerator generator)
    {
        var ml = new MLContext();
        var label = inputSchema[options.LabelColumnName];
        // ML.NET's own transforms cannot turn a key into its index as a number, so the saved form needs numeric labels.
        if (label.Type is KeyDataViewType)
            throw new NotSupportedException($"saving DiffusionGenerate needs a numeric label column; '{label.Name}' is a key. Generate from a numeric class column (e.g. ConvertType of the class ids) to save the pipeline");
        string specText = spec.ToBase64();
        var pipeline = ml.Transforms.Conversion.ConvertType(LabelColumn, options.LabelColumnName, DataKind.Int64)
            .Append(ml.Transforms.Conversion.ConvertType(SeedColumn, options.SeedColumnName, DataKind.Int64))
            .Append(ml.Transforms.Expression(SpecColumn, $"x : \"{specText}\"", LabelColumn))
            .Append(ml.Transforms.CustomMapping(new DiffusionGenerateMappingFactory().GetMapping(), ContractName))
            .Append(ml.Transforms.CopyColumns(options.ImageColumnName, ImageColumn))
            .Append(ml.Transforms.CopyColumns(options.PixelsColumnName, PixelsColumn))
            .Append(ml.Transforms.DropColumns(SpecColumn, LabelColumn, SeedColumn, ImageColumn, PixelsColumn));
        return pipeline.Fit(new EmptyDataView(inputSchema));
    }

    /// <summary>An IDataView with a schema and no rows, to fit the persisted chain without data.</summary>
    private sealed class EmptyDataView(DataViewSchema schema) : IDataView
    {
        public bool CanShuffle => true;

        public DataViewSchema Schema => schema;

        public long? GetRowCount() => 0;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new EmptyCursor(schema);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new EmptyCursor(schema)];

        private sealed class EmptyCursor(DataViewSchema schema) : DataViewRowCursor
        {
            public override DataViewSchema Schema => schema;

            public override long Position => -1;

            public override long Batch => 0;

            public override bool MoveNext() => false;

            public override bool IsColumnActive(DataViewSchema.Column column) => true;

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => throw new InvalidOperationException("empty view");

            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = default;
        }
    }
}

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

/// <summary>Output row of the persisted generation mapping.</summary>
public sealed class PersistedGenerationOutput
{
    /// <summary>The generated image (RGBA, opaque); its size is not part of the column type after loading.</summary>
    [ColumnName(PersistedGeneration.ImageColumn)]
    [AnySizeImage]
    public MLImage? Image { get; set; }

    /// <summary>C×H×W pixels in [−1, 1].</summary>
    [ColumnName(PersistedGeneration.PixelsColumn)] public float[] Pixels { get; set; } = [];
}

/// <summary>
/// The CustomMapping factory ML.NET finds by contract name when it loads a saved DiffusionGenerate pipeline: it opens
/// the generator the spec names (once per spec) and generates each row.
/// </summary>
[CustomMappingFactoryAttribute(PersistedGeneration.ContractName)]
public sealed class DiffusionGenerateMappingFactory : CustomMappingFactory<PersistedGenerationInput, PersistedGenerationOutput>
{
    private static readonly ConcurrentDictionary<string, Lazy<IImageGenerator>> Generators = new();

    /// <inheritdoc />
    public override Action<PersistedGenerationInput, PersistedGenerationOutput> GetMapping() => (input, output) =>
    {
        var generator = Generators.GetOrAdd(input.Spec, s => new Lazy<IImageGenerator>(() => GenerationSpec.FromBase64(s).Open())).Value;
        long label = input.Label;
        if (label < 0 || label >= generator.NumClasses)
            throw new ArgumentOutOfRangeException(nameof(input), label, $"class {label} is out of range: the model knows classes 0..{generator.NumClasses - 1}");
        var pixels = new float[GeneratedImages.PixelCount(generator)];
        lock (generator) generator.Generate([label], [input.Seed], pixels);
        GeneratedImages.ClampInto(pixels, pixels);
        output.Pixels = pixels;
        output.Image = GeneratedImages.ToImage(pixels, generator.Channels, generator.Height, generator.Width);
    };
}

/// <summary>
/// Marks an MLImage member as an image column of unknown size. ML.NET's own ImageType attribute needs a fixed size at
/// compile time, which a mapping shared by every model cannot have.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class AnySizeImageAttribute : DataViewTypeAttribute
{
    /// <inheritdoc />
    public override bool Equals(DataViewTypeAttribute other) => other is AnySizeImageAttribute;

    /// <inheritdoc />
    public override int GetHashCode() => typeof(AnySizeImageAttribute).GetHashCode();

    /// <inheritdoc />
    public override void Register() => DataViewTypeManager.Register(new ImageDataViewType(), typeof(MLImage), this);
}
