using DitML.Metrics;
using DitML.ML.Onnx;
using DitML.Onnx;
using Microsoft.ML;

namespace DitML.ML.Metrics;

/// <summary>
/// The chain behind <c>mlContext.Transforms.ExtractImageFeatures</c>: a DitML image classifier (input "pixels"
/// (N, C, H, W) in [−1, 1]; outputs "features" and "probabilities") on ML.NET's ONNX transformer.
/// </summary>
internal static class ImageFeatureExtraction
{
    public static IEstimator<ITransformer> Create(TransformsCatalog catalog, string classifierPath, string inputColumnName,
        string featuresColumnName, string probabilitiesColumnName, OnnxDevice? device = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(classifierPath);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(featuresColumnName);
        ArgumentException.ThrowIfNullOrEmpty(probabilitiesColumnName);
        int[] inputShape;
        using (var classifier = new OnnxImageClassifier(classifierPath)) inputShape = [1, .. classifier.InputShape];
        return OnnxColumnMapping.Create(catalog, classifierPath, ("pixels", inputColumnName), inputShape,
            [("features", featuresColumnName), ("probabilities", probabilitiesColumnName)], device: device);
    }
}
