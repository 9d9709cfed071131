using DitML.Metrics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

namespace DitML.ML.Metrics;

/// <summary>
/// Builds the ML.NET chain behind <c>mlContext.Transforms.ExtractImageFeatures</c>: ML.NET's own ONNX transformer running
/// a DitML image classifier (input "pixels" (N, C, H, W) in [−1, 1]; outputs "features" and "probabilities"), with column
/// copies that map the ONNX names to the caller's. Everything in it is a stock ML.NET transformer, so a pipeline holding
/// it saves and loads with <c>mlContext.Model.Save</c>/<c>Load</c> and needs nothing registered.
/// </summary>
internal static class ImageFeatureExtraction
{
    private const string OnnxInput = "pixels";
    private const string OnnxFeatures = "features";
    private const string OnnxProbabilities = "probabilities";

    public static IEstimator<ITransformer> Create(TransformsCatalog catalog, string classifierPath, string inputColumnName,
        string featuresColumnName, string probabilitiesColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(classifierPath);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(featuresColumnName);
        ArgumentException.ThrowIfNullOrEmpty(probabilitiesColumnName);
        if (featuresColumnName == probabilitiesColumnName)
            throw new ArgumentException($"the features and probabilities columns need different names (both are '{featuresColumnName}')");
        int[] inputShape;
        using (var classifier = new OnnxImageClassifier(classifierPath)) inputShape = [1, .. classifier.InputShape];

        // ML.NET's ONNX transformer binds columns by the graph's own names; copy in and out so callers keep theirs.
        var chain = new EstimatorChain<ITransformer>();
        var temporaries = new List<string>();
        if (inputColumnName != OnnxInput)
        {
            chain = chain.Append<ITransformer>(catalog.CopyColumns(OnnxInput, inputColumnName));
            temporaries.Add(OnnxInput);
        }
        chain = chain.Append<ITransformer>(catalog.ApplyOnnxModel(
            [OnnxFeatures, OnnxProbabilities], [OnnxInput], classifierPath,
            shapeDictionary: new Dictionary<string, int[]> { [OnnxInput] = inputShape }, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100));
        foreach (var (onnxName, wanted) in new[] { (OnnxFeatures, featuresColumnName), (OnnxProbabilities, probabilitiesColumnName) })
        {
            if (onnxName == wanted) continue;
            chain = chain.Append<ITransformer>(catalog.CopyColumns(wanted, onnxName));
            temporaries.Add(onnxName);
        }
        temporaries.RemoveAll(t => t == inputColumnName || t == featuresColumnName || t == probabilitiesColumnName);
        if (temporaries.Count > 0) chain = chain.Append<ITransformer>(catalog.DropColumns([.. temporaries]));
        return chain;
    }
}
