namespace DitML.Vae;

/// <summary>How well a VAE reconstructs a set of images, and the scale of its latents.</summary>
/// <param name="Images">Images measured.</param>
/// <param name="MeanSquaredError">Mean squared error per pixel element, pixels in [−1, 1], through the posterior mean.</param>
/// <param name="LatentStd">Standard deviation of the posterior means' elements (unscaled latents).</param>
public sealed record VaeReconstructionReport(int Images, double MeanSquaredError, double LatentStd)
{
    /// <summary>Peak signal-to-noise ratio in dB for pixels in [−1, 1] (peak-to-peak 2): 10·log10(4 / MSE).</summary>
    public double Psnr => 10 * Math.Log10(4 / MeanSquaredError);

    /// <summary>
    /// The latent scaling factor that gives a diffusion model unit-variance latents, 1 / <see cref="LatentStd"/> (how
    /// latent diffusion sets it for a new autoencoder; Stable Diffusion's 0.18215 was found the same way).
    /// </summary>
    public double ScalingFactor => 1 / LatentStd;
}
