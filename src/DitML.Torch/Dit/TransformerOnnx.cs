using System.Globalization;
using DitML.Models;
using DitML.Onnx;

namespace DitML.Dit;

/// <summary>
/// The ONNX emission of the pieces DiT and latent DiffiT share (their exporters build the rest): the patch embedding
/// with the fixed position embedding, the timestep and label embedders, multi-head attention over a fused qkv, the MLP,
/// the affine-free LayerNorm and unpatchify. Initializer names follow the state_dict.
/// </summary>
internal static class TransformerOnnx
{
    /// <summary>
    /// The serving metadata both families write after their config key: schedule, training steps, space, latent scale,
    /// classes, recommended guidance scale and (when given) class names. The caller adds its own keys and then
    /// <see cref="DiTOnnxExportOptions.Extra"/>, which may override any of them.
    /// </summary>
    public static Dictionary<string, string> ServingMetadata(DiTOnnxExportOptions options, int inChannels, int numClasses)
    {
        var inv = CultureInfo.InvariantCulture;
        var m = new Dictionary<string, string>
        {
            [DiTOnnxMetadata.Schedule] = "linear",
            [DiTOnnxMetadata.DiffusionSteps] = options.DiffusionSteps.ToString(inv),
            [DiTOnnxMetadata.Space] = (options.Space ?? ModelSpaces.ForChannels(inChannels)).ToText(),
            [DiTOnnxMetadata.LatentScale] = options.LatentScale.ToString("R", inv),
            [DiTOnnxMetadata.NumClasses] = numClasses.ToString(inv),
            [DiTOnnxMetadata.GuidanceScale] = options.GuidanceScale.ToString("R", inv),
            [DiTOnnxMetadata.Precision] = options.Precision.ToText(),
        };
        if (options.ClassNames is { } names)
        {
            DitML.Generation.ClassNaming.Check(names, numClasses, "ClassNames");
            m[DiTOnnxMetadata.ClassNames] = System.Text.Json.JsonSerializer.Serialize(names);
        }
        return m;
    }

    /// <summary>x (N, C, I, I) → patch tokens plus <c>pos_embed</c>, (N, T, D).</summary>
    public static string PatchTokens(OnnxGraphBuilder g, Func<string, float[]> w, string x, int inChannels, int patch, int d, int numPatches)
    {
        // Strided convolution, then (N, D, g, g) → (N, T, D).
        var conv = g.Node("Conv", [x, g.Initializer("x_embedder.proj.weight", w("x_embedder.proj.weight"), d, inChannels, patch, patch),
            g.Initializer("x_embedder.proj.bias", w("x_embedder.proj.bias"), d)],
            new Dictionary<string, object> { ["kernel_shape"] = new long[] { patch, patch }, ["strides"] = new long[] { patch, patch } });
        return g.Add(g.Transpose(g.Reshape(conv, 0, d, -1), 0, 2, 1), g.Initializer("pos_embed", w("pos_embed"), 1, numPatches, d));
    }

    /// <summary>t (N) float steps and y (N) labels → (t_emb, y_emb), each (N, D).</summary>
    public static (string Time, string Label) Embeddings(OnnxGraphBuilder g, Func<string, float[]> w, string t, string y, int d, int labelTableSize)
    {
        // Timestep: [cos(t·f), sin(t·f)] → Linear → SiLU → Linear.
        var args = g.Mul(g.Unsqueeze(t, 1), g.Initializer("t_freqs", SinCosEmbedding.TimestepFrequencies(), 1, DiTComplexity.TimestepFrequencySize / 2));
        var features = g.Concat(1, g.Node("Cos", [args]), g.Node("Sin", [args]));
        var tEmb = Linear(g, w, g.SiLU(Linear(g, w, features, "t_embedder.mlp.0", DiTComplexity.TimestepFrequencySize, d)), "t_embedder.mlp.2", d, d);
        var yEmb = g.Gather(g.Initializer("y_embedder.embedding_table.weight", w("y_embedder.embedding_table.weight"), labelTableSize, d), y);
        return (tEmb, yEmb);
    }

    /// <summary>
    /// Fused qkv (N, L, 3D), split [q | k | v] with heads contiguous → softmax(q·kᵀ/√hd + bias)·v merged back to (N, L, D)
    /// (before the output projection).
    /// </summary>
    public static string SelfAttention(OnnxGraphBuilder g, string qkv, int heads, int headDim, int d, string? bias)
    {
        var split = g.Transpose(g.Reshape(qkv, 0, -1, 3, heads, headDim), 2, 0, 3, 1, 4); // (3, N, H, L, hd)
        // A scalar Gather index drops the leading axis: q, k, v are (N, H, L, hd).
        var o = Attend(g, g.Gather(split, g.Index(0)), g.Gather(split, g.Index(1)), g.Gather(split, g.Index(2)), headDim, bias); // (N, H, L, hd)
        return g.Reshape(g.Transpose(o, 0, 2, 1, 3), 0, -1, d);
    }

    /// <summary>softmax(q·kᵀ/√hd + bias)·v for q, k, v (N, H, L, hd).</summary>
    public static string Attend(OnnxGraphBuilder g, string q, string k, string v, int headDim, string? bias)
    {
        var scores = g.Mul(g.MatMul(q, g.Transpose(k, 0, 1, 3, 2)), g.Scalar((float)(1 / Math.Sqrt(headDim))));
        if (bias != null) scores = g.Add(scores, bias);
        return g.MatMul(g.Softmax(scores, -1), v);
    }

    /// <summary>
    /// TMSA's relative position bias B[h, i, j] = table[index[i·T + j], h] over <paramref name="tokens"/> tokens, gathered
    /// at export time into the initializer <paramref name="name"/> of shape (1, H, L, L); tokens past T (L &gt; T: DiT's
    /// in-context conditioning tokens) get no bias.
    /// </summary>
    public static string RelativeBias(OnnxGraphBuilder g, string name, float[] table, IReadOnlyList<long> index, int tokens, int heads, int paddedTokens)
    {
        int l = paddedTokens;
        var bias = new float[heads * l * l];
        for (int i = 0; i < tokens; i++)
        {
            for (int j = 0; j < tokens; j++)
            {
                long row = index[i * tokens + j];
                for (int hh = 0; hh < heads; hh++) bias[(hh * l + i) * l + j] = table[row * heads + hh];
            }
        }
        return g.Initializer(name, bias, 1, heads, l, l);
    }

    /// <summary>fc1 → GELU (tanh) → fc2 (both int8 when <paramref name="int8"/>).</summary>
    public static string Mlp(OnnxGraphBuilder g, Func<string, float[]> w, string x, string prefix, int d, int hidden, bool int8 = false) =>
        Linear(g, w, g.GeluTanh(Linear(g, w, x, prefix + ".fc1", d, hidden, int8: int8)), prefix + ".fc2", hidden, d, int8: int8);

    /// <summary>LayerNorm without affine parameters, eps 1e-6.</summary>
    public static string PlainNorm(OnnxGraphBuilder g, string x, int d) => g.LayerNorm(x, g.Filled(1f, d), null, 1e-6f);

    /// <summary>(N, T, p·p·C) → (N, g, g, p, p, C) → (N, C, g, p, g, p) → (N, C, g·p, g·p).</summary>
    public static string Unpatchify(OnnxGraphBuilder g, string x, int grid, int patch, int channels) =>
        g.Reshape(g.Transpose(g.Reshape(x, 0, grid, grid, patch, patch, channels), 0, 5, 1, 3, 2, 4), 0, channels, grid * patch, grid * patch);

    /// <summary>
    /// A PyTorch Linear named <paramref name="prefix"/> (weight, and bias when <paramref name="hasBias"/>); with
    /// <paramref name="int8"/>, per-channel int8 weights with dynamic activation quantization.
    /// </summary>
    public static string Linear(OnnxGraphBuilder g, Func<string, float[]> w, string x, string prefix, int inFeatures, int outFeatures, bool hasBias = true, bool int8 = false) =>
        int8
            ? g.LinearInt8(x, prefix, w(prefix + ".weight"), inFeatures, outFeatures, hasBias ? w(prefix + ".bias") : [])
            : g.Linear(x, prefix, w(prefix + ".weight"), inFeatures, outFeatures, hasBias ? w(prefix + ".bias") : []);
}
