namespace DitML.Onnx;

/// <summary>
/// Metadata keys DitML writes into an exported VAE encoder or decoder, read back by <see cref="OnnxVaeDecoder"/> and the
/// ML.NET VAE transforms. The same config key names the config in a VAE's safetensors checkpoint.
/// </summary>
public static class VaeOnnxMetadata
{
    /// <summary>The VAE config as JSON (diffusers' config.json names, see <c>VaeConfig.ToJson</c>).</summary>
    public const string Config = "ditml.vae.config";

    /// <summary>The latent scaling factor ("R" format; SD-VAE 0.18215).</summary>
    public const string ScalingFactor = "ditml.vae.scaling_factor";

    /// <summary>"true" when the graph's latents are the diffusion model's (scaled), "false" when raw.</summary>
    public const string ScaledLatents = "ditml.vae.scaled_latents";
}
