using DitML.Generation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>
/// How a DiffusionGenerate transformer is saved with <c>mlContext.Model.Save</c>. ML.NET keeps its persistence hooks
/// internal, so the transformer saves itself as a chain of ML.NET's own persistable transforms that does the same work:
/// conversions of the label and seed to text, an Expression column holding the generation spec (model path, its SHA-256
/// and the sampler settings), a CustomMapping (contract <see cref="ContractName"/>) whose factory regenerates from the
/// spec, and a count-based slot selection fitted to keep the image's C×H×W slots, so the loaded Pixels column has its
/// known size (what ML.NET's ONNX transformer needs downstream). After <c>mlContext.Model.Load</c> (with DitML
/// registered: <c>mlContext.RegisterDitML()</c>) that chain generates the same images row by row.
/// </summary>
internal static class PersistedGeneration
{
    /// <summary>The CustomMapping contract of DitML's generation, format 2 (text label and seed, sized pixels).</summary>
    public const string ContractName = "DitML.DiffusionGenerate.v2";

    /// <summary>The contract of pipelines saved in format 1 (Int64 label and seed, pixels of no known size); still loaded.</summary>
    public const string ContractNameV1 = "DitML.DiffusionGenerate.v1";

    internal const string SpecColumn = "__ditml_spec";
    internal const string LabelColumn = "__ditml_label";
    internal const string SeedColumn = "__ditml_seed";
    internal const string PixelsColumn = "__ditml_pixels";
    internal const string ImageColumn = "__ditml_image";
    internal const string KeyValueColumn = "__ditml_key_value";

    /// <summary>The ML.NET-native chain equivalent to a transformer, fitted on the transformer's input schema.</summary>
    /// <exception cref="NotSupportedException">A key-typed label, or images larger than a saved pipeline can carry.</exception>
    public static ITransformer Build(GenerationSpec spec, DiffusionGenerateOptions options, DataViewSchema inputSchema, IImageGenerator generator)
    {
        var ml = new MLContext();
        var label = inputSchema[options.LabelColumnName];
        // A key label is saved as its key values (class names or ids, as it generates); ML.NET's own transforms cannot
        // turn a key without values into its index as a number, so such keys cannot be saved.
        if (label.Type is KeyDataViewType && label.Annotations.Schema.GetColumnOrNull("KeyValues") is null)
            throw new NotSupportedException($"saving DiffusionGenerate needs a numeric, text or valued key label column; '{label.Name}' is a key without key values. Generate from a numeric class column (e.g. ConvertType of the class ids) to save the pipeline");
        int size = GeneratedImages.PixelCount(generator);
        if (size > SizedGenerationOutput.MaxPixels)
            throw new NotSupportedException($"a saved DiffusionGenerate pipeline carries images of at most {SizedGenerationOutput.MaxPixels} values; {spec.ModelPath} makes {generator.Channels}×{generator.Height}×{generator.Width} = {size}");
        var empty = new DefaultRowsDataView(inputSchema);
        var labelText = new EstimatorChain<ITransformer>();
        string labelSource = options.LabelColumnName;
        DataViewType labelType = label.Type;
        if (label.Type is KeyDataViewType)
        {
            labelText = labelText.Append<ITransformer>(ml.Transforms.Conversion.MapKeyToValue(KeyValueColumn, labelSource));
            labelSource = KeyValueColumn;
            labelType = ((VectorDataViewType)label.Annotations.Schema["KeyValues"].Type).ItemType;
        }
        labelText = labelText.Append<ITransformer>(labelType is TextDataViewType
            ? ml.Transforms.CopyColumns(LabelColumn, labelSource)
            : ml.Transforms.Conversion.ConvertType(LabelColumn, labelSource, DataKind.String));
        var generate = labelText
            .Append(ml.Transforms.Conversion.ConvertType(SeedColumn, options.SeedColumnName, DataKind.String))
            .Append(ml.Transforms.Expression(SpecColumn, $"x : \"{(spec with { Columns = GenerationColumns.Of(options) }).ToBase64()}\"", LabelColumn))
            .Append(ml.Transforms.CustomMapping(new SizedGenerationMappingFactory().GetMapping(), ContractName))
            .Fit(empty);
        var sizing = SlotSelection(ml, size, options.PixelsColumnName);
        var rename = ml.Transforms.CopyColumns(options.ImageColumnName, ImageColumn)
            .Append(ml.Transforms.DropColumns([SpecColumn, LabelColumn, SeedColumn, ImageColumn, PixelsColumn, .. label.Type is KeyDataViewType ? [KeyValueColumn] : Array.Empty<string>()]))
            .Fit(sizing.Transform(generate.Transform(empty)));
        return new TransformerChain<ITransformer>([.. generate, sizing, .. rename]);
    }

    /// <summary>
    /// A slot selection that keeps the first <paramref name="size"/> of <see cref="SizedGenerationOutput.MaxPixels"/> slots
    /// of <see cref="PixelsColumn"/> into <paramref name="outputColumn"/>: ML.NET's count-based feature selection, fitted
    /// on one row whose first <paramref name="size"/> slots alone are set.
    /// </summary>
    private static ITransformer SlotSelection(MLContext ml, int size, string outputColumn)
    {
        var indices = Enumerable.Range(0, size).ToArray();
        var ones = Enumerable.Repeat(1f, size).ToArray();
        var row = ml.Data.LoadFromEnumerable([new SizingRow { Pixels = new VBuffer<float>(SizedGenerationOutput.MaxPixels, size, ones, indices) }]);
        return ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(outputColumn, PixelsColumn, count: 1).Fit(row);
    }

    /// <summary>Format 1, as saved before: kept so that tests can check such pipelines still load.</summary>
    internal static ITransformer BuildV1(GenerationSpec spec, DiffusionGenerateOptions options, DataViewSchema inputSchema)
    {
        var ml = new MLContext();
        var pipeline = ml.Transforms.Conversion.ConvertType(LabelColumn, options.LabelColumnName, DataKind.Int64)
            .Append(ml.Transforms.Conversion.ConvertType(SeedColumn, options.SeedColumnName, DataKind.Int64))
            .Append(ml.Transforms.Expression(SpecColumn, $"x : \"{spec.ToBase64()}\"", LabelColumn))
            .Append(ml.Transforms.CustomMapping(new DiffusionGenerateMappingFactory().GetMapping(), ContractNameV1))
            .Append(ml.Transforms.CopyColumns(options.ImageColumnName, ImageColumn))
            .Append(ml.Transforms.CopyColumns(options.PixelsColumnName, PixelsColumn))
            .Append(ml.Transforms.DropColumns(SpecColumn, LabelColumn, SeedColumn, ImageColumn, PixelsColumn));
        return pipeline.Fit(new DefaultRowsDataView(inputSchema));
    }

    private sealed class SizingRow
    {
        [ColumnName(PixelsColumn)]
        [VectorType(SizedGenerationOutput.MaxPixels)]
        public VBuffer<float> Pixels { get; set; }
    }
}
