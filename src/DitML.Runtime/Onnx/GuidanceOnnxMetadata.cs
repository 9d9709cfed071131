namespace DitML.Onnx;

/// <summary>
/// Metadata keys that say how an exported model wants classifier-free guidance applied; read by
/// <see cref="DiTModelInfo"/> and applied by every sampler through <c>DiffusionGenerator</c> (and so
/// <c>DiffusionGenerate</c>). A model without them is guided on every channel with a constant scale (DiT).
/// </summary>
public static class GuidanceOnnxMetadata
{
    /// <summary>
    /// How many of the first output channels are guided: "3" (latent DiffiT, and the official DiT sampler: channels 3..
    /// pass through, the conditional row's) or "all" (the default when absent).
    /// </summary>
    public const string Channels = "ditml.guidance_channels";

    /// <summary>The scale schedule over the steps: "constant" (default when absent) or "power-cosine" (latent DiffiT at latent ≤ 32).</summary>
    public const string Schedule = "ditml.guidance_schedule";

    /// <summary>The power-cosine schedule's exponent (the release's scale_pow: 4).</summary>
    public const string Power = "ditml.guidance_power";
}
