using DitML.Checkpoints;
using DitML.Onnx;
using DitML.Dit;

namespace DitML.Vae;

/// <summary>Emits the VAE's modules into an ONNX graph; weight names follow the state_dict.</summary>
internal sealed class VaeOnnxEmitter(OnnxGraphBuilder g, VaeConfig c, IReadOnlyDictionary<string, CheckpointTensor> weights)
{
    private readonly Dictionary<string, float[]> w = weights.ToDictionary(kv => kv.Key, kv => kv.Value.ToFloat32());

    /// <summary>Encoder: (N, C_in, H, W) → (N, 2·latent, H/f, W/f), before quant_conv.</summary>
    public string Encoder(string x)
    {
        var ch = c.BlockOutChannels;
        var h = Conv(x, "encoder.conv_in", 3);
        for (int i = 0; i < ch.Count; i++)
        {
            for (int j = 0; j < c.LayersPerBlock; j++) h = Resnet(h, $"encoder.down_blocks.{i}.resnets.{j}");
            // Downsample2D: zero-pad right and bottom by one, 3×3 stride 2.
            if (i < ch.Count - 1) h = Conv(h, $"encoder.down_blocks.{i}.downsamplers.0.conv", 3, 2, [0, 0, 1, 1]);
        }
        h = MidBlock(h, "encoder.mid_block");
        return Conv(g.SiLU(Norm(h, "encoder.conv_norm_out")), "encoder.conv_out", 3);
    }

    /// <summary>Decoder: (N, latent, h, w), after post_quant_conv → (N, C_out, f·h, f·w).</summary>
    public string Decoder(string z)
    {
        int levels = c.BlockOutChannels.Count;
        var h = MidBlock(Conv(z, "decoder.conv_in", 3), "decoder.mid_block");
        for (int i = 0; i < levels; i++)
        {
            for (int j = 0; j <= c.LayersPerBlock; j++) h = Resnet(h, $"decoder.up_blocks.{i}.resnets.{j}");
            if (i < levels - 1) h = Conv(g.UpsampleNearest(h, 2), $"decoder.up_blocks.{i}.upsamplers.0.conv", 3);
        }
        return Conv(g.SiLU(Norm(h, "decoder.conv_norm_out")), "decoder.conv_out", 3);
    }

    /// <summary>A Conv2d named <paramref name="prefix"/> (weight (O, I, k, k) and bias from the state_dict).</summary>
    public string Conv(string x, string prefix, long kernel, long stride = 1, long[]? pads = null)
    {
        var weight = Weight(prefix + ".weight");
        return g.Conv(x, weight, Weight(prefix + ".bias"), kernel, stride, pads);
    }

    private string MidBlock(string h, string prefix) =>
        Resnet(Attention(Resnet(h, prefix + ".resnets.0"), prefix + ".attentions.0"), prefix + ".resnets.1");

    private string Resnet(string x, string prefix)
    {
        var h = Conv(g.SiLU(Norm(x, prefix + ".norm1")), prefix + ".conv1", 3);
        h = Conv(g.SiLU(Norm(h, prefix + ".norm2")), prefix + ".conv2", 3);
        var skip = w.ContainsKey(prefix + ".conv_shortcut.weight") ? Conv(x, prefix + ".conv_shortcut", 1) : x;
        return g.Add(skip, h);
    }

    private string Attention(string x, string prefix)
    {
        int ch = (int)Shape(prefix + ".to_q.weight")[0];
        var tokens = g.Transpose(g.Reshape(Norm(x, prefix + ".group_norm"), 0, ch, -1), 0, 2, 1);   // (N, L, C)
        var q = Linear(tokens, prefix + ".to_q", ch);
        var k = Linear(tokens, prefix + ".to_k", ch);
        var v = Linear(tokens, prefix + ".to_v", ch);
        var scores = g.Mul(g.MatMul(q, g.Transpose(k, 0, 2, 1)), g.Scalar((float)(1 / Math.Sqrt(ch))));
        var o = Linear(g.MatMul(g.Softmax(scores, -1), v), prefix + ".to_out.0", ch);               // (N, L, C)
        return g.Add(x, g.Node("Reshape", [g.Transpose(o, 0, 2, 1), g.Shape(x)]));
    }

    private string Norm(string x, string prefix)
    {
        long ch = Shape(prefix + ".weight")[0];
        return g.GroupNorm(x, c.NormNumGroups, g.Initializer(prefix + ".weight", w[prefix + ".weight"], ch, 1, 1),
            g.Initializer(prefix + ".bias", w[prefix + ".bias"], ch, 1, 1), (float)c.NormEps);
    }

    private string Linear(string x, string prefix, int channels) =>
        g.Linear(x, prefix, w[prefix + ".weight"], channels, channels, w[prefix + ".bias"]);

    private string Weight(string name) => g.Initializer(name, w[name], Shape(name));

    private long[] Shape(string name) => weights[name].Shape;
}
