namespace DitML.Diffusion;

/// <summary>
/// EDM's preconditioning (Karras et al. 2022, Table 1): the denoiser is D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x;
/// c_noise(σ)) with F the network, and its loss weight λ(σ). One home for the formulas: the TorchSharp wrapper, the loss
/// and the ONNX graph all take their coefficients from here.
/// </summary>
public static class EdmPreconditioning
{
    /// <summary>c_skip = σ_d² / (σ² + σ_d²).</summary>
    public static double CSkip(double sigma, double sigmaData) => sigmaData * sigmaData / (sigma * sigma + sigmaData * sigmaData);

    /// <summary>c_out = σ·σ_d / √(σ² + σ_d²).</summary>
    public static double COut(double sigma, double sigmaData) => sigma * sigmaData / Math.Sqrt(sigma * sigma + sigmaData * sigmaData);

    /// <summary>c_in = 1 / √(σ² + σ_d²).</summary>
    public static double CIn(double sigma, double sigmaData) => 1 / Math.Sqrt(sigma * sigma + sigmaData * sigmaData);

    /// <summary>c_noise = ¼·ln σ, the network's noise-level input.</summary>
    public static double CNoise(double sigma) => Math.Log(sigma) / 4;

    /// <summary>The loss weight λ(σ) = (σ² + σ_d²) / (σ·σ_d)², which makes the effective weight c_out²·λ = 1.</summary>
    public static double LossWeight(double sigma, double sigmaData) => (sigma * sigma + sigmaData * sigmaData) / (sigma * sigmaData * (sigma * sigmaData));
}
