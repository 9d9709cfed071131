using DitML.Generation;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace DitML.ML.Generation;

/// <summary>The output schema of generation: the input's columns, then the image and pixel columns.</summary>
internal sealed class GenerationSchema
{
    public GenerationSchema(DataViewSchema input, DiffusionGenerateOptions options, IImageGenerator generator)
    {
        ConditioningColumns.Check(input, options);
        if (input[options.LabelColumnName] is { Type: KeyDataViewType } key) ConditioningColumns.KeyClasses(key, generator.ClassNames); // unknown names fail at Fit
        Input = input;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        AddGeneratedColumns(builder, options, generator);
        Output = builder.ToSchema();
    }

    /// <summary>Adds the image and pixel columns a generator produces.</summary>
    public static void AddGeneratedColumns(DataViewSchema.Builder builder, DiffusionGenerateOptions options, IImageGenerator generator)
    {
        builder.AddColumn(options.ImageColumnName, new ImageDataViewType(generator.Height, generator.Width));
        builder.AddColumn(options.PixelsColumnName, new VectorDataViewType(NumberDataViewType.Single, generator.Channels, generator.Height, generator.Width));
    }

    /// <summary>
    /// The shape generation gives an input of shape <paramref name="input"/>: its columns (an Image or Pixels column of
    /// the same name replaced), then the image and the pixel vector. SchemaShape carries no sizes, so this needs no model:
    /// estimators describe their output without opening an ONNX Runtime session.
    /// </summary>
    public static SchemaShape OutputShape(SchemaShape input, DiffusionGenerateOptions options)
    {
        var generated = new DataViewSchema.Builder();
        generated.AddColumn(options.ImageColumnName, new ImageDataViewType());
        generated.AddColumn(options.PixelsColumnName, new VectorDataViewType(NumberDataViewType.Single, 1)); // a known size: Vector, not VariableVector
        var result = input.Where(c => c.Name != options.ImageColumnName && c.Name != options.PixelsColumnName).ToList();
        result.AddRange(SchemaShapes.Of(generated.ToSchema()));
        return new SchemaShape(result);
    }

    public DataViewSchema Input { get; }

    public DataViewSchema Output { get; }

    /// <summary>Index of the image column in <see cref="Output"/>.</summary>
    public int ImageIndex => Input.Count;

    /// <summary>Index of the pixel column in <see cref="Output"/>.</summary>
    public int PixelsIndex => Input.Count + 1;

    /// <summary>True when a column set asks for the generated columns.</summary>
    public bool NeedsGeneration(IEnumerable<DataViewSchema.Column> columns) => columns.Any(c => c.Index >= Input.Count);

    /// <summary>The input columns among <paramref name="columns"/>.</summary>
    public IEnumerable<DataViewSchema.Column> InputColumns(IEnumerable<DataViewSchema.Column> columns) =>
        columns.Where(c => c.Index < Input.Count).Select(c => Input[c.Index]);
}
