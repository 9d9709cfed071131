namespace DitML.Vae;

/// <summary>The loss of one training step: reconstruction (per pixel element), KL (per image, summed over the latent), and the total.</summary>
/// <param name="Step">The step (0-based).</param>
/// <param name="Reconstruction">Mean reconstruction error per pixel element.</param>
/// <param name="KullbackLeibler">KL(q(z|x) ‖ N(0, I)) summed over the latent, averaged over the batch.</param>
/// <param name="Total">Reconstruction + β·KL / (pixel elements per image): what is minimized.</param>
public sealed record VaeLossTerms(long Step, double Reconstruction, double KullbackLeibler, double Total);
