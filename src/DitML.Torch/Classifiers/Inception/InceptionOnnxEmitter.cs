using DitML.Checkpoints;
using DitML.Onnx;

namespace DitML.Classifiers.Inception;

/// <summary>
/// Emits FID InceptionV3's operations into an ONNX graph, for the modules' <c>Emit</c> methods (each mirrors its
/// module's forward). Batch norm is folded into the convolution: w·γ/√(σ² + ε) and β − μ·γ/√(σ² + ε), as inference
/// with running statistics computes.
/// </summary>
internal sealed class InceptionOnnxEmitter(OnnxGraphBuilder g, IReadOnlyDictionary<string, CheckpointTensor> weights)
{
    /// <summary>The graph being built.</summary>
    public OnnxGraphBuilder Graph => g;

    /// <summary>BasicConv2d <paramref name="prefix"/>: conv (no bias) → batch norm → ReLU.</summary>
    public string ConvBatchNormRelu(string x, string prefix, (long H, long W) kernel, long stride, (long H, long W) padding, double eps)
    {
        var w = weights[prefix + ".conv.weight"];
        float[] weight = w.ToFloat32();
        float[] gamma = weights[prefix + ".bn.weight"].ToFloat32(), beta = weights[prefix + ".bn.bias"].ToFloat32();
        float[] mean = weights[prefix + ".bn.running_mean"].ToFloat32(), variance = weights[prefix + ".bn.running_var"].ToFloat32();
        long outChannels = w.Shape[0], perChannel = weight.Length / outChannels;
        var bias = new float[outChannels];
        for (long o = 0; o < outChannels; o++)
        {
            double scale = gamma[o] / Math.Sqrt(variance[o] + eps);
            for (long i = 0; i < perChannel; i++) weight[o * perChannel + i] = (float)(weight[o * perChannel + i] * scale);
            bias[o] = (float)(beta[o] - mean[o] * scale);
        }
        var conv = g.Node("Conv", [x, g.Initializer(prefix + ".conv.weight", weight, w.Shape), g.Initializer(prefix + ".bias", bias, outChannels)],
            new Dictionary<string, object>
            {
                ["kernel_shape"] = new[] { kernel.H, kernel.W },
                ["strides"] = new[] { stride, stride },
                ["pads"] = new[] { padding.H, padding.W, padding.H, padding.W },
            });
        return g.Node("Relu", [conv]);
    }

    /// <summary><see cref="InceptionPooling.Average"/>: 3×3, stride 1, padding 1, padded zeros not counted.</summary>
    public string AveragePool(string x) => Pool("AveragePool", x, 1, 1, countIncludePad: false);

    /// <summary><see cref="InceptionPooling.Max"/>: 3×3, stride 1, padding 1.</summary>
    public string MaxPool(string x) => Pool("MaxPool", x, 1, 1);

    /// <summary><see cref="InceptionPooling.Reduce"/>: 3×3 max, stride 2, no padding.</summary>
    public string Reduce(string x) => Pool("MaxPool", x, 2, 0);

    /// <summary>Concatenation along channels.</summary>
    public string Concat(params string[] branches) => g.Concat(1, branches);

    /// <summary>A float32 weight of the state_dict as an initializer.</summary>
    public string Weight(string name) => g.Initializer(name, weights[name].ToFloat32(), weights[name].Shape);

    private string Pool(string op, string x, long stride, long pad, bool? countIncludePad = null)
    {
        var attributes = new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { 3, 3 },
            ["strides"] = new[] { stride, stride },
            ["pads"] = new[] { pad, pad, pad, pad },
        };
        if (countIncludePad is { } include) attributes["count_include_pad"] = include ? 1L : 0L;
        return g.Node(op, [x], attributes);
    }
}
