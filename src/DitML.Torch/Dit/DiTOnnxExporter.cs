using DitML.Checkpoints;
using DitML.Models;
using DitML.Onnx;

namespace DitML.Dit;

/// <summary>
/// Writes a TorchSharp DiT as an ONNX graph (opset 17) — every conditioning design and TMSA — with a dynamic batch axis:
/// inputs x (N, C, I, I) float32, t (N) float32 (fractional steps allowed), y (N) int64; output (N, C_out, I, I).
/// TorchSharp has no ONNX export, so the graph is emitted module by module from the model's weights.
/// </summary>
public static class DiTOnnxExporter
{
    /// <summary>Builds the ONNX model of <paramref name="model"/>'s current weights.</summary>
    public static OnnxModel Export(DiT model, DiTOnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new DiTOnnxExportOptions();
        var config = model.Config;
        // One tensor at a time, straight from the module: the builder moves each to its store as it is produced.
        var state = model.state_dict();
        var g = new OnnxGraphBuilder("dit");
        var e = new Emitter(g, config, name => ModelStateDict.Float32Values(state[name]), options.Precision);

        var x = g.Input("x", OnnxElementType.Float, "N", config.InChannels, config.InputSize, config.InputSize);
        var t = g.Input("t", OnnxElementType.Float, "N");
        var y = g.Input("y", OnnxElementType.Int64, "N");
        g.Output("out", e.Forward(x, t, y), OnnxElementType.Float, "N", config.OutChannels, config.InputSize, config.InputSize);

        foreach (var (k, v) in Metadata(config, options)) g.Metadata(k, v);
        return g.Build();
    }

    /// <summary>
    /// The metadata an export of a <paramref name="config"/> model carries (config, serving keys, then
    /// <see cref="DiTOnnxExportOptions.Extra"/>): what <c>DiTModelInfo.FromMetadata</c> reads back, also for sampling
    /// a checkpoint without exporting it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Metadata(DiTConfig config, DiTOnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new DiTOnnxExportOptions();
        var m = new Dictionary<string, string> { [DiTOnnxMetadata.Config] = config.ToJson() };
        foreach (var (k, v) in TransformerOnnx.ServingMetadata(options, config.InChannels, config.NumClasses)) m[k] = v;
        foreach (var (k, v) in options.Extra) m[k] = v;
        return m;
    }

    /// <summary>Emits the graph of one model; names follow the state_dict.</summary>
    private sealed class Emitter(OnnxGraphBuilder g, DiTConfig c, Func<string, float[]> w, OnnxPrecision precision)
    {
        /// <summary>The transformer blocks' linears are quantized; the embedders and the final layer stay float32 (the first and last layers are where int8 costs most quality for least compute).</summary>
        private const string QuantizedPrefix = "blocks.";

        private readonly int d = c.HiddenSize;

        public string Forward(string x, string t, string y)
        {
            var h = TransformerOnnx.PatchTokens(g, w, x, c.InChannels, c.PatchSize, d, c.NumPatches);
            var (tEmb, yEmb) = TransformerOnnx.Embeddings(g, w, t, y, d, c.LabelTableSize);
            var cond = g.Add(tEmb, yEmb);                                          // (N, D)
            var tokens = g.Concat(1, g.Unsqueeze(tEmb, 1), g.Unsqueeze(yEmb, 1));  // (N, 2, D)

            if (c.Conditioning == DiTConditioning.InContext) h = g.Concat(1, h, tokens);
            for (int i = 0; i < c.Depth; i++) h = Block(h, cond, tokens, $"blocks.{i}");
            if (c.Conditioning == DiTConditioning.InContext) h = g.Slice(h, [0], [c.NumPatches], [1]);

            // Final layer.
            string normed;
            if (DiTComplexity.UsesAdaptiveNorm(c))
            {
                var m = g.Split(Linear(g.SiLU(cond), "final_layer.adaLN_modulation.1", d, 2 * d), 1, d, d);
                normed = Modulate(PlainNorm(h), m[0], m[1]);
            }
            else
            {
                normed = AffineNorm(h, "final_layer.norm_final");
            }
            var o = Linear(normed, "final_layer.linear", d, c.PatchSize * c.PatchSize * c.OutChannels);
            return TransformerOnnx.Unpatchify(g, o, c.GridSize, c.PatchSize, c.OutChannels);
        }

        private string Block(string h, string cond, string tokens, string prefix)
        {
            switch (c.Conditioning)
            {
                case DiTConditioning.AdaLNZero:
                case DiTConditioning.AdaLN:
                {
                    bool gated = c.Conditioning == DiTConditioning.AdaLNZero;
                    int k = gated ? 6 : 4;
                    var m = g.Split(Linear(g.SiLU(cond), prefix + ".adaLN_modulation.1", d, k * d), 1, Enumerable.Repeat((long)d, k).ToArray());
                    var (shiftMsa, scaleMsa, shiftMlp, scaleMlp) = gated ? (m[0], m[1], m[3], m[4]) : (m[0], m[1], m[2], m[3]);
                    var a = SelfAttention(Modulate(PlainNorm(h), shiftMsa, scaleMsa), cond, prefix + ".attn");
                    h = g.Add(h, gated ? g.Mul(g.Unsqueeze(m[2], 1), a) : a);
                    var f = Mlp(Modulate(PlainNorm(h), shiftMlp, scaleMlp), prefix + ".mlp");
                    return g.Add(h, gated ? g.Mul(g.Unsqueeze(m[5], 1), f) : f);
                }
                case DiTConditioning.CrossAttention:
                    h = g.Add(h, SelfAttention(AffineNorm(h, prefix + ".norm1"), cond, prefix + ".attn"));
                    h = g.Add(h, CrossAttention(AffineNorm(h, prefix + ".norm2"), tokens, prefix + ".cross_attn"));
                    return g.Add(h, Mlp(AffineNorm(h, prefix + ".norm3"), prefix + ".mlp"));
                default:
                    h = g.Add(h, SelfAttention(AffineNorm(h, prefix + ".norm1"), cond, prefix + ".attn"));
                    return g.Add(h, Mlp(AffineNorm(h, prefix + ".norm2"), prefix + ".mlp"));
            }
        }

        private string SelfAttention(string x, string cond, string prefix)
        {
            var qkv = Linear(x, prefix + ".qkv", d, 3 * d);                        // (N, L, 3D)
            string? bias = null;
            if (c.TimeDependentAttention)
            {
                qkv = g.Add(qkv, g.Unsqueeze(Linear(cond, prefix + ".qkv_t", d, 3 * d, hasBias: false), 1));
                bias = RelativeBias(prefix);
            }
            return Linear(TransformerOnnx.SelfAttention(g, qkv, c.NumHeads, c.HeadDim, d, bias), prefix + ".proj", d, d);
        }

        private string CrossAttention(string x, string tokens, string prefix)
        {
            var q = g.Transpose(g.Reshape(Linear(x, prefix + ".q", d, d), 0, -1, c.NumHeads, c.HeadDim), 0, 2, 1, 3);
            var kv = g.Transpose(g.Reshape(Linear(tokens, prefix + ".kv", d, 2 * d), 0, -1, 2, c.NumHeads, c.HeadDim), 2, 0, 3, 1, 4);
            var o = TransformerOnnx.Attend(g, q, g.Gather(kv, g.Index(0)), g.Gather(kv, g.Index(1)), c.HeadDim, null);
            return Linear(g.Reshape(g.Transpose(o, 0, 2, 1, 3), 0, -1, d), prefix + ".proj", d, d);
        }

        /// <summary>TMSA's relative position bias, gathered from the table at export time: (1, H, L, L).</summary>
        private string RelativeBias(string prefix)
        {
            int t = c.NumPatches;
            int l = c.Conditioning == DiTConditioning.InContext ? t + DiTComplexity.ConditioningTokens : t; // conditioning tokens get no bias
            return TransformerOnnx.RelativeBias(g, prefix + ".relative_position_bias", w(prefix + ".relative_position_bias_table"),
                DitML.DiffiT.TimeDependentSelfAttention.RelativeIndex(c.GridSize), t, c.NumHeads, l);
        }

        private string Mlp(string x, string prefix) => TransformerOnnx.Mlp(g, w, x, prefix, d, c.MlpHiddenSize, Quantized(prefix));

        private string Modulate(string x, string shift, string scale) =>
            g.Add(g.Mul(x, g.Add(g.Unsqueeze(scale, 1), g.Scalar(1f))), g.Unsqueeze(shift, 1));

        private string PlainNorm(string x) => TransformerOnnx.PlainNorm(g, x, d);

        private string AffineNorm(string x, string prefix) =>
            g.LayerNorm(x, Weight(prefix + ".weight", d), Weight(prefix + ".bias", d), 1e-6f);

        private string Linear(string x, string prefix, int inFeatures, int outFeatures, bool hasBias = true) =>
            TransformerOnnx.Linear(g, w, x, prefix, inFeatures, outFeatures, hasBias, Quantized(prefix));

        /// <summary>Whether the linear named <paramref name="prefix"/> is exported as int8.</summary>
        private bool Quantized(string prefix) => precision == OnnxPrecision.Int8 && prefix.StartsWith(QuantizedPrefix, StringComparison.Ordinal);

        private string Weight(string name, params long[] dims) => g.Initializer(name, w(name), dims);
    }
}
