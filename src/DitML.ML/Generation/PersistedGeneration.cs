using DitML.Generation;
using Microsoft.ML;
using Microsoft.ML.Data;

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
}
