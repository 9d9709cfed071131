using System.Globalization;
using DitML.Checkpoints;
using DitML.Diffusion;
using DitML.Generation;
using DitML.Models;
using DitML.Onnx;

namespace DitML.DiffiT;

/// <summary>
/// Writes image DiffiT as an ONNX graph (opset 17) of the whole EDM denoiser D(x; σ, y) — preconditioning included —
/// with a dynamic batch axis: inputs x (N, C, I, I) float32, sigma (N) float32 (σ &gt; 0), y (N) int64 (unused by an
/// unconditional model); output (N, C, I, I). The preconditioning is in the graph rather than in the runtime so that the
/// runtime sampler stays model-agnostic (one <c>IDenoiser</c> call gives D, as the EDM sampler needs), σ_data travels
/// with the weights it was trained with, and one graph evaluation is exactly <see cref="EdmDenoiser"/>'s forward. The
/// metadata names it an EDM model (<see cref="ImageDiffiTOnnxMetadata"/>), so <c>DiffusionGenerator</c> samples it with
/// EDM's Heun sampler.
/// </summary>
public static class ImageDiffiTOnnxExporter
{
    /// <summary>Builds the ONNX model of <paramref name="model"/>'s current weights with the EDM settings it was trained with.</summary>
    public static OnnxModel Export(ImageDiffiT model, EdmSettings? edm = null, ImageDiffiTOnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        edm = (edm ?? new EdmSettings()).Validate();
        options ??= new ImageDiffiTOnnxExportOptions();
        var config = model.Config;
        if (!config.Conditional && options.GuidanceScale != 1)
            throw new ArgumentException($"an unconditional model cannot be guided: its guidance scale must be 1, got {options.GuidanceScale}", nameof(options));
        int steps = options.SamplingSteps ?? (config.ImageSize <= 32 ? EdmSettings.Cifar10Steps : EdmSettings.Ffhq64Steps);
        if (steps <= 0) throw new ArgumentException($"SamplingSteps must be positive, got {steps}", nameof(options));
        var weights = ModelStateDict.Export(model).ToDictionary(kv => kv.Key, kv => kv.Value.ToFloat32());
        var g = new OnnxGraphBuilder("image_diffit");
        var e = new Emitter(g, config, weights);
        int size = config.ImageSize;
        var x = g.Input("x", OnnxElementType.Float, "N", config.InChannels, size, size);
        var sigma = g.Input(ImageDiffiTOnnxMetadata.SigmaInput, OnnxElementType.Float, "N");
        var y = g.Input("y", OnnxElementType.Int64, "N");
        g.Output("out", e.Denoise(x, sigma, y, (float)edm.SigmaData), OnnxElementType.Float, "N", config.InChannels, size, size);

        var inv = CultureInfo.InvariantCulture;
        foreach (var (k, v) in ImageDiffiTCheckpoint.Metadata(config, edm)) g.Metadata(k, v);
        g.Metadata(ImageDiffiTOnnxMetadata.SamplingSteps, steps.ToString(inv))
            .Metadata(DiTOnnxMetadata.Space, ModelSpace.Pixel.ToText())
            .Metadata(DiTOnnxMetadata.NumClasses, config.NumClasses.ToString(inv))
            .Metadata(DiTOnnxMetadata.GuidanceScale, options.GuidanceScale.ToString("R", inv));
        if (options.ClassNames is { } names)
        {
            if (!config.Conditional) throw new ArgumentException("an unconditional model has no classes to name", nameof(options));
            ClassNaming.Check(names, config.NumClasses, "ClassNames");
            g.Metadata(DiTOnnxMetadata.ClassNames, System.Text.Json.JsonSerializer.Serialize(names));
        }
        return g.Build();
    }

    /// <summary>Emits the graph of one model; initializer names follow the state_dict.</summary>
    private sealed class Emitter(OnnxGraphBuilder g, ImageDiffiTConfig c, Dictionary<string, float[]> w)
    {
        /// <summary>D = c_skip·x + c_out·F(c_in·x, c_noise, y), the coefficients of <see cref="EdmPreconditioning"/> as graph arithmetic.</summary>
        public string Denoise(string x, string sigma, string y, float sigmaData)
        {
            var s = g.Unsqueeze(sigma, 1, 2, 3);                                   // (N, 1, 1, 1)
            var total = g.Add(g.Mul(s, s), g.Scalar(sigmaData * sigmaData));        // σ² + σ_d²
            var root = g.Node("Sqrt", [total]);
            var cSkip = g.Div(g.Scalar(sigmaData * sigmaData), total);
            var cOut = g.Div(g.Mul(s, g.Scalar(sigmaData)), root);
            var cIn = g.Div(g.Scalar(1f), root);
            var cNoise = g.Mul(g.Node("Log", [sigma]), g.Scalar(0.25f));           // (N)
            var f = Network(g.Mul(x, cIn), cNoise, y);
            return g.Add(g.Mul(x, cSkip), g.Mul(f, cOut));
        }

        private string Network(string x, string noiseLabel, string y)
        {
            int te = c.TimeEmbedDim, freq = DiTComplexity.TimestepFrequencySize;
            var args = g.Mul(g.Unsqueeze(noiseLabel, 1), g.Initializer("t_freqs", SinCosEmbedding.TimestepFrequencies(), 1, freq / 2));
            var features = g.Concat(1, g.Node("Cos", [args]), g.Node("Sin", [args]));
            var time = Linear(g.SiLU(Linear(features, "t_embedder.mlp.0", freq, te)), "t_embedder.mlp.2", te, te); // (N, T_e)
            if (c.Conditional) time = g.Add(time, g.Gather(Weight("y_embedder.embedding_table.weight", c.LabelTableSize, te), y));

            var ch = c.StageChannels;
            var h = Conv(x, "tokenizer", c.InChannels, ch[0], 3);
            var skips = new string[c.Stages];
            for (int s = 0; s < c.Stages; s++)
            {
                for (int b = 0; b < c.BlocksPerStage[s]; b++) h = ResBlock(h, time, $"encoder.{s}.{b}", s);
                skips[s] = h;
                if (s + 1 < c.Stages) h = Conv(h, $"downsamples.{s}", ch[s], ch[s + 1], 3, stride: 2);
            }
            for (int s = c.Stages - 1; s >= 0; s--)
            {
                if (s + 1 < c.Stages)
                {
                    h = Conv(g.UpsampleNearest(h, 2), $"upsamples.{s}", ch[s + 1], ch[s], 3);
                    h = Conv(g.Concat(1, h, skips[s]), $"skip_merges.{s}", 2 * ch[s], ch[s], 1);
                }
                for (int b = 0; b < c.BlocksPerStage[s]; b++) h = ResBlock(h, time, $"decoder.{s}.{b}", s);
            }
            return Conv(g.SiLU(GroupNorm(h, "head_norm", ch[0])), "head", ch[0], c.InChannels, 3);
        }

        private string ResBlock(string x, string time, string prefix, int stage)
        {
            int d = c.StageChannels[stage];
            var h = Conv(g.SiLU(GroupNorm(x, prefix + ".norm", d)), prefix + ".conv", d, d, 3);
            var t = g.Transpose(h, 0, 2, 3, 1);                                    // (N, H, W, C)
            t = g.Add(t, WindowAttention(PlainNorm(t, d), time, prefix + ".attn", stage));
            t = g.Add(t, Mlp(PlainNorm(t, d), prefix + ".mlp", d));
            return g.Add(x, g.Transpose(t, 0, 3, 1, 2));                          // (N, C, H, W)
        }

        private string WindowAttention(string h, string time, string prefix, int stage)
        {
            int d = c.StageChannels[stage], r = c.Resolution(stage), wdw = c.WindowSize, rows = r / wdw, windows = rows * rows, l = wdw * wdw;
            int heads = c.Heads(d), hd = d / heads;
            // (N, H, W, C) → (N, nW, w², C): window (i, j) holds pixels (i·w + a, j·w + b), row-major inside.
            var win = g.Reshape(g.Transpose(g.Reshape(h, -1, rows, wdw, rows, wdw, d), 0, 1, 3, 2, 4, 5), -1, windows, l, d);
            var qkv = g.Add(Linear(win, prefix + ".qkv", d, 3 * d), g.Unsqueeze(Linear(time, prefix + ".qkv_temb", c.TimeEmbedDim, 3 * d), 1, 2)); // (N, nW, w², 3C)
            var split = g.Transpose(g.Reshape(qkv, -1, l, 3, heads, hd), 2, 0, 3, 1, 4);    // (3, N·nW, H, w², hd)
            var q = g.Gather(split, g.Index(0));
            var k = g.Gather(split, g.Index(1));
            var v = g.Gather(split, g.Index(2));
            var scores = g.Add(g.Mul(g.MatMul(q, g.Transpose(k, 0, 1, 3, 2)), g.Scalar((float)(1 / Math.Sqrt(hd)))), RelativeBias(prefix, heads));
            var o = g.Reshape(g.Transpose(g.MatMul(g.Softmax(scores, -1), v), 0, 2, 1, 3), -1, l, d); // (N·nW, w², C)
            o = Linear(o, prefix + ".proj", d, d);
            // (N·nW, w², C) → (N, H, W, C)
            return g.Reshape(g.Transpose(g.Reshape(o, -1, rows, rows, wdw, wdw, d), 0, 1, 3, 2, 4, 5), -1, r, r, d);
        }

        /// <summary>TMSA's relative position bias of one window, gathered from the table at export time: (1, H, w², w²).</summary>
        private string RelativeBias(string prefix, int heads)
        {
            int l = c.WindowSize * c.WindowSize;
            return DitML.Dit.TransformerOnnx.RelativeBias(g, prefix + ".relative_position_bias", w[prefix + ".relative_position_bias_table"],
                TimeDependentSelfAttention.RelativeIndex(c.WindowSize), l, heads, l);
        }

        private string Mlp(string x, string prefix, int d)
        {
            int hidden = c.MlpHiddenSize(d);
            return Linear(g.GeluTanh(Linear(x, prefix + ".fc1", d, hidden)), prefix + ".fc2", hidden, d);
        }

        private string PlainNorm(string x, int d) => g.LayerNorm(x, g.Filled(1f, d), null, 1e-6f);

        private string GroupNorm(string x, string prefix, int d) =>
            g.GroupNorm(x, c.GroupNormGroups, Weight(prefix + ".weight", d, 1, 1), Weight(prefix + ".bias", d, 1, 1), 1e-5f);

        private string Conv(string x, string prefix, int inChannels, int outChannels, int kernel, int stride = 1) =>
            g.Conv(x, Weight(prefix + ".weight", outChannels, inChannels, kernel, kernel), Weight(prefix + ".bias", outChannels), kernel, stride);

        private string Linear(string x, string prefix, int inFeatures, int outFeatures) =>
            g.Linear(x, prefix, w[prefix + ".weight"], inFeatures, outFeatures, w[prefix + ".bias"]);

        private string Weight(string name, params long[] dims) => g.Initializer(name, w[name], dims);
    }
}
