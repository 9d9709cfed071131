namespace DitML.Models;

/// <summary>The text form of <see cref="ModelSpace"/> in model metadata, and the default for a channel count.</summary>
public static class ModelSpaces
{
    /// <summary>
    /// The space a model with <paramref name="inChannels"/> input channels most likely works in: 1 or 3 channels are
    /// pictures (grayscale, RGB), anything else a VAE's latents (SD-VAE: 4). Used when a caller names no space.
    /// </summary>
    public static ModelSpace ForChannels(int inChannels) => inChannels is 1 or 3 ? ModelSpace.Pixel : ModelSpace.Latent;

    /// <summary>"pixel" or "latent": the value written to <c>ditml.space</c>.</summary>
    public static string ToText(this ModelSpace space) => space switch
    {
        ModelSpace.Pixel => "pixel",
        ModelSpace.Latent => "latent",
        _ => throw new ArgumentOutOfRangeException(nameof(space), space, "not a model space"),
    };

    /// <summary>Reads "pixel" or "latent" (any case).</summary>
    /// <exception cref="FormatException">Any other text.</exception>
    public static ModelSpace Parse(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "pixel" => ModelSpace.Pixel,
        "latent" => ModelSpace.Latent,
        _ => throw new FormatException($"model space must be \"pixel\" or \"latent\", not \"{text}\""),
    };
}
