using DitML.Checkpoints;
using DitML.Onnx;

namespace DitML.Classifiers.Inception;

/// <summary>
/// Exports FID InceptionV3 to ONNX in the layout of <see cref="DitML.Metrics.OnnxImageClassifier"/> — input <c>pixels</c> (N, C, H, W)
/// in [−1, 1], outputs <c>features</c> (N, 2048, pool3) and <c>probabilities</c> (N, 1008) — so that FID with Inception
/// features runs on ONNX Runtime (<c>ExtractImageFeatures</c>, <c>ditml fid --classifier</c>) without libtorch.
/// </summary>
public static class InceptionOnnxExporter
{
    /// <summary>Exports <paramref name="model"/> for images of the shape in <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">Options out of range.</exception>
    public static OnnxModel Export(FidInceptionV3 model, InceptionOnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = (options ?? new InceptionOnnxExportOptions()).Validate();
        var g = new OnnxGraphBuilder("fid_inception_v3");
        var x = g.Input("pixels", OnnxElementType.Float, "N", o.Channels, o.Height, o.Width);
        if (o.Channels == 1) x = g.Concat(1, x, x, x);                        // grayscale → RGB
        if (o.Height != FidInceptionV3.InputSize || o.Width != FidInceptionV3.InputSize)
        {
            // Sizes, not scales: 28·(299/28) can round below 299. half_pixel linear is interpolate(align_corners=False).
            var sizes = g.Concat(0, g.Slice(g.Shape(x), [0], [2], [0]), g.Ints(FidInceptionV3.InputSize, FidInceptionV3.InputSize));
            x = g.Node("Resize", [x, "", "", sizes], new Dictionary<string, object>
            {
                ["mode"] = "linear",
                ["coordinate_transformation_mode"] = "half_pixel",
            });
        }
        var (features, logits) = model.Emit(new InceptionOnnxEmitter(g, ModelStateDict.Export(model)), x);
        g.Output("features", features, OnnxElementType.Float, "N", FidInceptionV3.FeatureSize);
        g.Output("probabilities", g.Softmax(logits, 1), OnnxElementType.Float, "N", FidInceptionV3.Classes);
        return g.Build();
    }
}
