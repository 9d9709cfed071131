using DitML.ML.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using DitML.Onnx;

namespace DitML.ML.Vae;

/// <summary>
/// <c>mlContext.Transforms.VaeEncode</c> / <c>VaeDecode</c>: a VAE encoder (pixels → scaled latents, the posterior mean)
/// or decoder (scaled latents → pixels) exported by DitML's <c>VaeOnnxExporter</c>, run on ML.NET's ONNX transformer.
/// The graphs take any image size, so the input column's (C, H, W) is read at <see cref="Fit"/>; the fitted result is a
/// stock ML.NET transformer chain that saves and loads with the pipeline.
/// </summary>
public sealed class VaeTransformEstimator : IEstimator<ITransformer>
{
    private readonly TransformsCatalog catalog;
    private readonly string modelPath;
    private readonly string graphInput;
    private readonly string graphOutput;
    private readonly string inputColumnName;
    private readonly string outputColumnName;
    private readonly OnnxDevice? device;

    internal VaeTransformEstimator(TransformsCatalog catalog, string modelPath, bool encode, string inputColumnName, string outputColumnName, OnnxDevice? device = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"VAE {(encode ? "encoder" : "decoder")} not found: {modelPath}", modelPath);
        this.catalog = catalog;
        this.modelPath = modelPath;
        (graphInput, graphOutput) = encode ? ("pixels", "latents") : ("latents", "pixels");
        this.inputColumnName = inputColumnName;
        this.outputColumnName = outputColumnName;
        this.device = device;
        device?.Resolve();                                                       // an unusable CUDA is refused now, not at fit
    }

    /// <summary>Builds the ONNX chain for the input column's image size and fits it.</summary>
    /// <exception cref="ArgumentException">The input column is missing or not a (C, H, W) vector of Single.</exception>
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Chain(input).Fit(input);
    }

    /// <summary>The input schema plus the output vector column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!SchemaShapes.Has(inputSchema, inputColumnName))
            throw new ArgumentException($"input has no column '{inputColumnName}' (columns: {string.Join(", ", inputSchema.Select(c => c.Name))})");
        var columns = inputSchema.Where(c => c.Name != outputColumnName).ToList();
        columns.Add(SchemaShapes.FloatVector(outputColumnName));
        return new SchemaShape(columns);
    }

    private EstimatorChain<ITransformer> Chain(IDataView input)
    {
        int[] shape = Shape(input);
        var (factor, latentChannels, imageChannels) = Geometry();
        int[] output = graphOutput == "latents"
            ? [1, latentChannels, shape[1] / factor, shape[2] / factor]
            : [1, imageChannels, shape[1] * factor, shape[2] * factor];
        if (graphOutput == "latents" && (shape[1] % factor != 0 || shape[2] % factor != 0))
            throw new ArgumentException($"column '{inputColumnName}' holds {shape[1]}×{shape[2]} images; the VAE needs sides that are multiples of {factor}");
        return OnnxColumnMapping.Create(catalog, modelPath, (graphInput, inputColumnName), [1, .. shape], [(graphOutput, outputColumnName)],
            new Dictionary<string, int[]> { [graphOutput] = output }, device);
    }

    /// <summary>Downsampling factor and channel counts, from the config DitML's exporter stores in the graph's metadata.</summary>
    private (int Factor, int LatentChannels, int ImageChannels) Geometry()
    {
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(modelPath);
        if (!session.ModelMetadata.CustomMetadataMap.TryGetValue(VaeOnnxMetadata.Config, out var json))
            throw new ArgumentException($"{modelPath} is not a VAE exported by DitML (no 'ditml.vae.config' metadata)");
        using var config = System.Text.Json.JsonDocument.Parse(json);
        var root = config.RootElement;
        int blocks = root.GetProperty("block_out_channels").GetArrayLength();
        return (1 << (blocks - 1), root.GetProperty("latent_channels").GetInt32(), root.GetProperty("out_channels").GetInt32());
    }

    /// <summary>
    /// (C, H, W) of the input column: its dimensions when it has them; else — ML.NET's ONNX transformer gives a flat
    /// vector when the graph's axes are symbolic, as after VaeEncode — the graph's channel count and a square image
    /// of the first row's length.
    /// </summary>
    private int[] Shape(IDataView input)
    {
        var column = input.Schema.GetColumnOrNull(inputColumnName)
            ?? throw new ArgumentException($"input has no column '{inputColumnName}' (columns: {string.Join(", ", input.Schema.Select(x => x.Name))})");
        if (column.Type is VectorDataViewType { Dimensions.Length: 3 }) return OnnxColumnMapping.ImageShape(input.Schema, inputColumnName);
        if (column.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Single)
            throw new ArgumentException($"column '{inputColumnName}' must be a vector of Single with dimensions (C, H, W), not {column.Type}");
        int channels;
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(modelPath)) channels = session.InputMetadata[graphInput].Dimensions[1];
        int length = ((VectorDataViewType)column.Type).Size;
        if (length == 0)
        {
            using var cursor = input.GetRowCursor([column]);
            var get = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> row = default;
            if (!cursor.MoveNext()) throw new ArgumentException($"column '{inputColumnName}' has no size and the data no rows to infer it from");
            get(ref row);
            length = row.Length;
        }
        int side = (int)Math.Round(Math.Sqrt(length / (double)channels));
        if (side * side * channels != length)
            throw new ArgumentException($"column '{inputColumnName}' holds {length} values: not {channels} square planes; give it (C, H, W) dimensions");
        return [channels, side, side];
    }
}
