using System.Globalization;
using DitML.Checkpoints;
using DitML.Dit;
using DitML.Models;
using DitML.Onnx;
using DitML.Sampling;

namespace DitML.DiffiT;

/// <summary>
/// Writes a TorchSharp latent DiffiT as an ONNX graph (opset 17) with a dynamic batch axis and DiT's interface — x (N, C,
/// I, I) float32, t (N) float32 (fractional steps allowed), y (N) int64 → (N, C_out, I, I) — so the same
/// <c>OnnxDenoiser</c>, samplers, <c>DiffusionGenerator</c> and <c>DiffusionGenerate</c> serve it. The metadata carries
/// the DiffiT config (<see cref="LatentDiffiTOnnxMetadata.Config"/>), DiT's serving keys, and the release's guidance
/// recipe (<see cref="LatentDiffiTGuidance"/>: channels 0–2, power-cosine at latent ≤ 32, else constant). Each block's
/// relative position bias is gathered at export time through the model's own <c>relative_position_index</c> buffer.
/// </summary>
public static class LatentDiffiTOnnxExporter
{
    /// <summary>
    /// Builds the ONNX model of <paramref name="model"/>'s current weights. With no options the recommended guidance
    /// scale is the release's for the model's size (<see cref="LatentDiffiTGuidance.ScaleFor"/>: 4.4 at latent 32,
    /// 1.49 above); given options are written as they are.
    /// </summary>
    public static OnnxModel Export(LatentDiffiT model, DiTOnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = model.Config;
        options ??= new DiTOnnxExportOptions { GuidanceScale = LatentDiffiTGuidance.ScaleFor(config.InputSize) };
        if (options.Precision != OnnxPrecision.Float32)
            throw new NotSupportedException($"latent DiffiT exports as fp32 only; {options.Precision.ToText()} export is implemented for DiT");
        // One tensor at a time, straight from the module (the index buffer as float32: exact for its small integers).
        var state = model.state_dict();
        Func<string, float[]> weights = name => ModelStateDict.Float32Values(state[name]);
        var g = new OnnxGraphBuilder("latent_diffit");

        var x = g.Input("x", OnnxElementType.Float, "N", config.InChannels, config.InputSize, config.InputSize);
        var t = g.Input("t", OnnxElementType.Float, "N");
        var y = g.Input("y", OnnxElementType.Int64, "N");
        g.Output("out", Forward(g, config, weights, x, t, y), OnnxElementType.Float, "N", config.OutChannels, config.InputSize, config.InputSize);

        foreach (var (k, v) in Metadata(config, options)) g.Metadata(k, v);
        return g.Build();
    }

    /// <summary>
    /// The metadata an export of a <paramref name="config"/> model carries (config, DiT's serving keys, the release's
    /// guidance recipe, then <see cref="DiTOnnxExportOptions.Extra"/>; no options: the release's guidance scale for the
    /// size): what <c>DiTModelInfo.FromMetadata</c> reads back, also for sampling a checkpoint without exporting it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Metadata(LatentDiffiTConfig config, DiTOnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new DiTOnnxExportOptions { GuidanceScale = LatentDiffiTGuidance.ScaleFor(config.InputSize) };
        var inv = CultureInfo.InvariantCulture;
        var schedule = LatentDiffiTGuidance.ScheduleFor(config.InputSize);
        var m = new Dictionary<string, string> { [LatentDiffiTOnnxMetadata.Config] = config.ToJson() };
        foreach (var (k, v) in TransformerOnnx.ServingMetadata(options, config.InChannels, config.NumClasses)) m[k] = v;
        m[GuidanceOnnxMetadata.Channels] = LatentDiffiTGuidance.GuidedChannels.ToString(inv);
        m[GuidanceOnnxMetadata.Schedule] = schedule.KindText;
        m[GuidanceOnnxMetadata.Power] = schedule.Power.ToString("R", inv);
        foreach (var (k, v) in options.Extra) m[k] = v;
        return m;
    }

    private static string Forward(OnnxGraphBuilder g, LatentDiffiTConfig c, Func<string, float[]> w, string x, string t, string y)
    {
        int d = c.HiddenSize;
        var h = TransformerOnnx.PatchTokens(g, w, x, c.InChannels, c.PatchSize, d, c.NumPatches);  // (N, T, D)
        var (tEmb, yEmb) = TransformerOnnx.Embeddings(g, w, t, y, d, c.LabelTableSize);
        var cond = g.Add(tEmb, yEmb);                                                             // (N, D): the time token
        for (int i = 0; i < c.Depth; i++)
        {
            string prefix = $"blocks.{i}";
            // x = x + TMSA(LN1(x), c): qkv(h) + qkv_temb(c) broadcast over the tokens, biased global attention, proj.
            var qkv = g.Add(TransformerOnnx.Linear(g, w, TransformerOnnx.PlainNorm(g, h, d), prefix + ".attn.qkv", d, 3 * d),
                g.Unsqueeze(TransformerOnnx.Linear(g, w, cond, prefix + ".attn.qkv_temb", d, 3 * d), 1));  // (N, T, 3D)
            var attended = TransformerOnnx.SelfAttention(g, qkv, c.NumHeads, d / c.NumHeads, d, RelativeBias(g, c, w, prefix + ".attn"));
            h = g.Add(h, TransformerOnnx.Linear(g, w, attended, prefix + ".attn.proj", d, d));
            // x = x + MLP(LN2(x)).
            h = g.Add(h, TransformerOnnx.Mlp(g, w, TransformerOnnx.PlainNorm(g, h, d), prefix + ".mlp", d, c.MlpHiddenSize));
        }
        // Head: LN → SiLU → Linear, then unpatchify.
        var o = TransformerOnnx.Linear(g, w, g.SiLU(TransformerOnnx.PlainNorm(g, h, d)), "final_layer.linear", d, c.PatchSize * c.PatchSize * c.OutChannels);
        return TransformerOnnx.Unpatchify(g, o, c.GridSize, c.PatchSize, c.OutChannels);
    }

    /// <summary>B[h, i, j] = table[index[i, j], h] as an initializer (1, H, T, T), through the model's stored index.</summary>
    private static string RelativeBias(OnnxGraphBuilder g, LatentDiffiTConfig c, Func<string, float[]> w, string prefix)
    {
        var table = w(prefix + ".relative_position_bias_table");                                  // ((2W−1)², H)
        var index = Array.ConvertAll(w(prefix + ".relative_position_index"), v => (long)v);     // (T, T), exact in float32
        return TransformerOnnx.RelativeBias(g, prefix + ".relative_position_bias", table, index, c.NumPatches, c.NumHeads, c.NumPatches);
    }
}
