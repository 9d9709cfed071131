using DitML.Metrics;
using DitML.ML.Generation;
using DitML.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Metrics;

/// <summary>
/// Evaluation of generated images, reached as <c>mlContext.Generation()</c> (like <c>mlContext.BinaryClassification</c>):
/// FID, Inception Score, precision/recall and class accuracy (computed by <see cref="GenerationEvaluator"/>) from the feature and probability columns that
/// <c>mlContext.Transforms.ExtractImageFeatures</c> adds, against reference statistics or a second IDataView.
/// </summary>
public sealed class GenerationCatalog
{
    internal GenerationCatalog(MLContext context) => Context = context;

    /// <summary>The context this catalog belongs to.</summary>
    public MLContext Context { get; }

    /// <summary>
    /// Loads a pipeline saved with <c>mlContext.Model.Save</c>, as <c>mlContext.Model.Load</c> does, and restores every
    /// DiffusionGenerate in it to the batched transformer it was saved from: its model file is checked now (a missing or
    /// changed file fails here, naming it, instead of at the first generated row), rows are generated in batches of the
    /// saved batch size again, and the Image and Pixels columns have their sizes. Registers DitML with the context.
    /// Pipelines saved by DitML before it kept column names still load, generating row by row.
    /// </summary>
    /// <param name="filePath">The .zip <c>mlContext.Model.Save</c> wrote.</param>
    /// <param name="inputSchema">The schema the pipeline was saved with.</param>
    /// <param name="device">
    /// Where its generations run: null keeps the device each was saved with, unless this context's
    /// <c>GpuDeviceId</c> is set (then that, as ML.NET's ONNX transforms do on load).
    /// </param>
    /// <exception cref="FileNotFoundException">The pipeline file, or a model file a generation needs, is missing.</exception>
    /// <exception cref="InvalidDataException">A model file changed since the pipeline was saved.</exception>
    /// <exception cref="DeviceUnavailableException">A generation's CUDA device is unusable here (pass <paramref name="device"/>).</exception>
    public ITransformer LoadModel(string filePath, out DataViewSchema inputSchema, OnnxDevice? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        if (!File.Exists(filePath)) throw new FileNotFoundException($"saved pipeline not found: {filePath}", filePath);
        using var stream = File.OpenRead(filePath);
        return LoadModel(stream, out inputSchema, device);
    }

    /// <summary>
    /// Loads a pipeline saved with <c>mlContext.Model.Save</c> from <paramref name="stream"/> and restores its
    /// DiffusionGenerate transformers (see <see cref="LoadModel(string, out DataViewSchema, OnnxDevice?)"/>).
    /// </summary>
    /// <param name="stream">What <c>mlContext.Model.Save</c> wrote.</param>
    /// <param name="inputSchema">The schema the pipeline was saved with.</param>
    /// <param name="device">Where its generations run (null: as saved, or this context's <c>GpuDeviceId</c> when set).</param>
    /// <exception cref="FileNotFoundException">A model file a generation needs is missing.</exception>
    /// <exception cref="InvalidDataException">A model file changed since the pipeline was saved.</exception>
    /// <exception cref="DeviceUnavailableException">A generation's CUDA device is unusable here (pass <paramref name="device"/>).</exception>
    public ITransformer LoadModel(Stream stream, out DataViewSchema inputSchema, OnnxDevice? device = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Context.RegisterDitML();
        var loaded = Context.Model.Load(stream, out inputSchema);
        try
        {
            device ??= Context.GpuDeviceId is { } gpu ? OnnxDevice.FromMLNet(gpu, Context.FallbackToCpu) : null;
            return PipelineRestoration.Restore(loaded, inputSchema, device);
        }
        catch
        {
            (loaded as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Metrics of <paramref name="generated"/> against reference statistics in the pytorch-fid layout (.npz with
    /// <c>mu</c> and <c>sigma</c>, e.g. the shipped Fashion-MNIST test statistics). Precision/recall need reference
    /// features and stay null here.
    /// </summary>
    /// <exception cref="FileNotFoundException">Naming the statistics file.</exception>
    /// <exception cref="ArgumentException">A missing column, or statistics of another feature width.</exception>
    public GenerationMetrics Evaluate(IDataView generated, string referenceStatisticsPath, GenerationEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentException.ThrowIfNullOrEmpty(referenceStatisticsPath);
        if (!File.Exists(referenceStatisticsPath))
            throw new FileNotFoundException($"reference statistics not found: {referenceStatisticsPath}", referenceStatisticsPath);
        options ??= new GenerationEvaluationOptions();
        var fake = ColumnReader.Read(generated, options);
        var (mu, sigma) = StatisticsFile.Load(referenceStatisticsPath);
        if (mu.Length != fake.Dimension)
            throw new ArgumentException($"reference statistics {referenceStatisticsPath} are {mu.Length}-dimensional but column '{options.FeaturesColumnName}' holds {fake.Dimension} features");
        return new GenerationEvaluator(options).Evaluate(fake, mu, sigma);
    }

    /// <summary>Metrics of <paramref name="generated"/> against the features of <paramref name="reference"/> (same columns), with precision/recall.</summary>
    /// <exception cref="ArgumentException">A missing column, or features of different widths.</exception>
    public GenerationMetrics Evaluate(IDataView generated, IDataView reference, GenerationEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(reference);
        options ??= new GenerationEvaluationOptions();
        var fake = ColumnReader.Read(generated, options);
        var real = ColumnReader.Read(reference, options with { ProbabilitiesColumnName = null, LabelColumnName = null });
        return new GenerationEvaluator(options).Evaluate(fake, real);
    }
}
