using DitML.Checkpoints;
using DitML.Onnx;

namespace DitML.Classifiers;

/// <summary>
/// Writes <see cref="FashionMnistClassifier"/> (eval mode) as ONNX: input "pixels" (N, 1, 28, 28) in [−1, 1]; outputs
/// "features" (N, 256) and "probabilities" (N, 10). Batch norms are folded into the convolutions.
/// </summary>
public static class FashionMnistClassifierExporter
{
    private const double BatchNormEpsilon = 1e-5;

    /// <summary>The ONNX model of the classifier's current weights.</summary>
    public static OnnxModel Export(FashionMnistClassifier model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var w = ModelStateDict.Export(model).ToDictionary(kv => kv.Key, kv => kv.Value.ToFloat32());
        var g = new OnnxGraphBuilder("fashion_mnist_classifier");
        var x = g.Input("pixels", OnnxElementType.Float, "N", 1, 28, 28);
        (int Conv, int Norm, int In, int Out)[] layers = [(0, 1, 1, 32), (3, 4, 32, 32), (7, 8, 32, 64), (10, 11, 64, 64)];
        for (int i = 0; i < layers.Length; i++)
        {
            var (conv, norm, cin, cout) = layers[i];
            var (weight, bias) = Fold(w, $"body.{conv}", $"body.{norm}", cin, cout);
            x = g.Node("Conv", [x, g.Initializer($"conv{i}.weight", weight, cout, cin, 3, 3), g.Initializer($"conv{i}.bias", bias, cout)],
                new Dictionary<string, object> { ["kernel_shape"] = new long[] { 3, 3 }, ["pads"] = new long[] { 1, 1, 1, 1 } });
            x = g.Node("Relu", [x]);
            if (i % 2 == 1)
                x = g.Node("MaxPool", [x], new Dictionary<string, object> { ["kernel_shape"] = new long[] { 2, 2 }, ["strides"] = new long[] { 2, 2 } });
        }
        var flat = g.Reshape(x, 0, -1);                                        // (N, 3136), channel-major as torch's flatten
        var features = g.Node("Relu", [g.Linear(flat, "features", w["features.weight"], 64 * 7 * 7, FashionMnistClassifier.FeatureSize, w["features.bias"])]);
        var logits = g.Linear(features, "head", w["head.weight"], FashionMnistClassifier.FeatureSize, 10, w["head.bias"]);
        g.Output("features", features, OnnxElementType.Float, "N", FashionMnistClassifier.FeatureSize);
        g.Output("probabilities", g.Softmax(logits, 1), OnnxElementType.Float, "N", 10);
        g.Metadata("ditml.classifier", "fashion-mnist");
        return g.Build();
    }

    private static (float[] Weight, float[] Bias) Fold(Dictionary<string, float[]> w, string conv, string norm, int cin, int cout)
    {
        var weight = (float[])w[conv + ".weight"].Clone();
        var bias = new float[cout];
        var (gamma, beta, mean, variance) = (w[norm + ".weight"], w[norm + ".bias"], w[norm + ".running_mean"], w[norm + ".running_var"]);
        int per = cin * 9;
        for (int o = 0; o < cout; o++)
        {
            double scale = gamma[o] / Math.Sqrt(variance[o] + BatchNormEpsilon);
            for (int k = 0; k < per; k++) weight[o * per + k] = (float)(weight[o * per + k] * scale);
            bias[o] = (float)((w[conv + ".bias"][o] - mean[o]) * scale + beta[o]);
        }
        return (weight, bias);
    }
}
