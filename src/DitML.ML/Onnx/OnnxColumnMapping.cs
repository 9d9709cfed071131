using DitML.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

namespace DitML.ML.Onnx;

/// <summary>
/// Runs a DitML ONNX graph (classifier, VAE encoder or decoder) on ML.NET's own ONNX transformer. That transformer binds
/// columns by the graph's names, so the chain copies the caller's column in, copies the outputs out and drops the
/// temporaries. Everything in the chain is a stock ML.NET transformer: pipelines holding it save and load with
/// <c>mlContext.Model.Save</c>/<c>Load</c> and need nothing registered.
/// </summary>
internal static class OnnxColumnMapping
{
    /// <param name="catalog">Where the stock transforms come from.</param>
    /// <param name="modelPath">The ONNX file.</param>
    /// <param name="input">Graph input name and the column feeding it.</param>
    /// <param name="inputShape">Shape of one row, batch axis first (1, …): ML.NET runs the graph row by row.</param>
    /// <param name="outputs">Graph output names and the columns receiving them.</param>
    /// <param name="outputShapes">
    /// Shapes of outputs whose axes are symbolic in the graph: without them ML.NET gives an unknown-size vector, which
    /// its ONNX transformer then cannot take as input (a VAE decoder after an encoder).
    /// </param>
    /// <param name="device">
    /// Where the graph runs; null leaves it to the context (<c>mlContext.GpuDeviceId</c>, ML.NET's rule). A CUDA device
    /// that cannot load is refused here, saying what is missing, rather than by ONNX Runtime at fit.
    /// </param>
    public static EstimatorChain<ITransformer> Create(TransformsCatalog catalog, string modelPath, (string Graph, string Column) input,
        int[] inputShape, IReadOnlyList<(string Graph, string Column)> outputs, IReadOnlyDictionary<string, int[]>? outputShapes = null,
        OnnxDevice? device = null)
    {
        var (gpuDeviceId, fallbackToCpu) = GpuSettings(device ?? ContextDevice.Of(catalog));
        var columns = outputs.Select(o => o.Column).Append(input.Column).ToList();
        if (outputs.Select(o => o.Column).Distinct().Count() != outputs.Count)
            throw new ArgumentException($"the output columns need different names (given: {string.Join(", ", outputs.Select(o => o.Column))})");
        var chain = new EstimatorChain<ITransformer>();
        var temporaries = new List<string>();
        if (input.Column != input.Graph)
        {
            chain = chain.Append<ITransformer>(catalog.CopyColumns(input.Graph, input.Column));
            temporaries.Add(input.Graph);
        }
        chain = chain.Append<ITransformer>(catalog.ApplyOnnxModel(
            outputs.Select(o => o.Graph).ToArray(), [input.Graph], modelPath,
            shapeDictionary: Shapes(input.Graph, inputShape, outputShapes), gpuDeviceId, fallbackToCpu, recursionLimit: 100));
        foreach (var (graph, column) in outputs)
        {
            if (graph == column) continue;
            chain = chain.Append<ITransformer>(catalog.CopyColumns(column, graph));
            temporaries.Add(graph);
        }
        temporaries.RemoveAll(columns.Contains);
        if (temporaries.Count > 0) chain = chain.Append<ITransformer>(catalog.DropColumns([.. temporaries.Distinct()]));
        return chain;
    }

    /// <summary>ML.NET's pair for a device: checked first, so an unusable CUDA is named, and auto is decided here.</summary>
    private static (int? GpuDeviceId, bool FallbackToCpu) GpuSettings(OnnxDevice? device)
    {
        var used = device?.Resolve() ?? OnnxDevice.Cpu;
        return used.Kind == OnnxDeviceKind.Cuda ? (used.Id, device!.Kind == OnnxDeviceKind.Auto) : (null, false);
    }

    private static Dictionary<string, int[]> Shapes(string input, int[] inputShape, IReadOnlyDictionary<string, int[]>? outputShapes)
    {
        var shapes = new Dictionary<string, int[]> { [input] = inputShape };
        foreach (var (name, shape) in outputShapes ?? new Dictionary<string, int[]>()) shapes[name] = shape;
        return shapes;
    }

    /// <summary>(C, H, W) of a vector column of Single with three dimensions, or a clear error.</summary>
    public static int[] ImageShape(DataViewSchema schema, string column)
    {
        var c = schema.GetColumnOrNull(column)
            ?? throw new ArgumentException($"input has no column '{column}' (columns: {string.Join(", ", schema.Select(x => x.Name))})");
        if (c.Type is not VectorDataViewType { ItemType: var item, Dimensions: var dims } || item != NumberDataViewType.Single || dims.Length != 3 || dims.Any(d => d <= 0))
            throw new ArgumentException($"column '{column}' must be a known-size vector of Single with dimensions (C, H, W), not {c.Type}");
        return [.. dims];
    }
}
