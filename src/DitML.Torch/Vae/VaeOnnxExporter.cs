using System.Globalization;
using DitML.Checkpoints;
using DitML.Onnx;

namespace DitML.Vae;

/// <summary>
/// Writes the VAE's decoder (and encoder) as ONNX graphs (opset 17), emitted module by module from the weights since
/// TorchSharp has no ONNX export. Batch and spatial axes are dynamic. With <c>scaledLatents</c> (the default) the
/// latents are the diffusion model's: the decoder divides them by the scaling factor first and the encoder multiplies
/// its mean by it, as <see cref="AutoencoderKL.DecodeLatents"/> and <see cref="AutoencoderKL.EncodeLatents"/> do.
/// </summary>
public static class VaeOnnxExporter
{
    /// <summary>
    /// The decoder: input <c>latents</c> (N, C, h, w) float32 → output <c>pixels</c> (N, C_out, f·h, f·w), f the
    /// downsample factor (8 for SD).
    /// </summary>
    public static OnnxModel ExportDecoder(AutoencoderKL model, bool scaledLatents = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = model.Config;
        var g = new OnnxGraphBuilder("vae_decoder");
        var e = new VaeOnnxEmitter(g, c, Weights(model));
        var z = g.Input("latents", OnnxElementType.Float, "N", c.LatentChannels, "h", "w");
        if (scaledLatents) z = g.Div(z, g.Scalar((float)c.ScalingFactor));
        g.Output("pixels", e.Decoder(e.Conv(z, "post_quant_conv", 1)), OnnxElementType.Float, "N", c.OutChannels, "H", "W");
        return Finish(g, c, scaledLatents);
    }

    /// <summary>
    /// The encoder's posterior mean: input <c>pixels</c> (N, C_in, H, W) float32 in [−1, 1] → output <c>latents</c>
    /// (N, C, H/f, W/f), times the scaling factor when <paramref name="scaledLatents"/>.
    /// </summary>
    public static OnnxModel ExportEncoder(AutoencoderKL model, bool scaledLatents = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = model.Config;
        var g = new OnnxGraphBuilder("vae_encoder");
        var e = new VaeOnnxEmitter(g, c, Weights(model));
        var x = g.Input("pixels", OnnxElementType.Float, "N", c.InChannels, "H", "W");
        var moments = e.Conv(e.Encoder(x), "quant_conv", 1);                   // (N, 2C, h, w)
        var mean = g.Slice(moments, [0], [c.LatentChannels], [1]);
        if (scaledLatents) mean = g.Mul(mean, g.Scalar((float)c.ScalingFactor));
        g.Output("latents", mean, OnnxElementType.Float, "N", c.LatentChannels, "h", "w");
        return Finish(g, c, scaledLatents);
    }

    private static Dictionary<string, CheckpointTensor> Weights(AutoencoderKL model) => ModelStateDict.Export(model);

    private static OnnxModel Finish(OnnxGraphBuilder g, VaeConfig c, bool scaled)
    {
        g.Metadata(VaeOnnxMetadata.Config, c.ToJson())
            .Metadata(VaeOnnxMetadata.ScalingFactor, c.ScalingFactor.ToString("R", CultureInfo.InvariantCulture))
            .Metadata(VaeOnnxMetadata.ScaledLatents, scaled ? "true" : "false");
        return g.Build();
    }
}
