namespace DitML.Models;

/// <summary>Where a diffusion model works: on images directly, or on a VAE's latents (which need a decoder).</summary>
public enum ModelSpace
{
    /// <summary>Images in [-1, 1] (N, C, H, W); the model's output is the picture.</summary>
    Pixel,

    /// <summary>Scaled VAE latents (N, C, h, w); a VAE decoder turns the output into a picture.</summary>
    Latent,
}
