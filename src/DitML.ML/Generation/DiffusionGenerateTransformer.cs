using DitML.Generation;
using DitML.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>
/// Adds generated images to every row of its input: an image column (MLImage) and a pixel column (C×H×W floats in
/// [−1, 1]), conditioned on the row's label and seeded by the row's seed. Generation is lazy and batched: rows are
/// generated when a cursor reaches them, <see cref="DiffusionGenerateOptions.BatchSize"/> at a time. One fitted
/// transformer is safe to share between threads: concurrent <c>Transform</c> cursors and prediction engines each get
/// exactly the pixels they would get alone. A prediction engine disposes the transformer it was created from when it
/// is disposed, unless created with <c>new PredictionEngineOptions { OwnsTransformer = false }</c>: use that for one
/// engine per request or thread.
/// </summary>
public sealed class DiffusionGenerateTransformer : ITransformer, IDisposable
{
    private readonly bool ownsGenerator;

    private readonly GenerationSpec? spec;
    private readonly DataViewSchema? fittedSchema;
    private volatile bool disposed;

    internal DiffusionGenerateTransformer(IImageGenerator generator, DiffusionGenerateOptions options, bool ownsGenerator,
        GenerationSpec? spec = null, DataViewSchema? fittedSchema = null)
    {
        Generator = generator ?? throw new ArgumentNullException(nameof(generator));
        Options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        this.ownsGenerator = ownsGenerator;
        this.spec = spec;
        this.fittedSchema = fittedSchema;
    }

    /// <summary>What a saved pipeline records of this generation (null for a caller's generator).</summary>
    internal GenerationSpec? Spec => spec;

    /// <summary>The generator producing the images.</summary>
    public IImageGenerator Generator { get; }

    /// <summary>Column names and batching.</summary>
    public DiffusionGenerateOptions Options { get; }

    /// <summary>
    /// Where the model runs (the device asked for, or the CPU where <see cref="OnnxDevice.Auto"/> found no
    /// GPU); null when the caller's generator is not a <see cref="DiffusionGenerator"/>.
    /// </summary>
    public OnnxDevice? Device => (Generator is ResizingGenerator r ? r.Inner : Generator) is DiffusionGenerator g ? g.Device : null;

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        return new GenerationSchema(inputSchema, Options, Generator).Output;
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        return new GeneratedDataView(input, new GenerationSchema(input.Schema, Options, Generator), Options, Generator);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        return new GenerationRowMapper(new GenerationSchema(inputSchema, Options, Generator), Options, Generator);
    }

    /// <summary>
    /// Saves as a chain of ML.NET's own transforms doing the same generation (see the README, "Saving a pipeline"):
    /// load it with <c>mlContext.Generation().LoadModel</c> (which restores this batched transformer and checks the model
    /// file at once) or with <c>mlContext.RegisterDitML().Model.Load</c> (row by row); both need the same exported model file.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        if (spec == null || fittedSchema == null)
            throw new NotSupportedException("a DiffusionGenerate transformer over a custom IImageGenerator cannot be saved; build it from a model file (mlContext.Transforms.DiffusionGenerate(modelPath)) to save the pipeline");
        ((ICanSaveModel)PersistedGeneration.Build(spec, Options, fittedSchema, Generator)).Save(ctx);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        disposed = true;
        if (ownsGenerator && Generator is IDisposable d) d.Dispose();
    }

    private void ThrowIfDisposed()
    {
        if (disposed && ownsGenerator)
            throw new ObjectDisposedException(nameof(DiffusionGenerateTransformer),
                "this DiffusionGenerate transformer was disposed, and its model with it. A prediction engine disposes the transformer it was created from: create engines that share one with new PredictionEngineOptions { OwnsTransformer = false }");
    }
}
