namespace DitML.Vae;

/// <summary>How <see cref="VaeTrainer"/> computes the reconstruction term.</summary>
public enum VaeReconstructionLoss
{
    /// <summary>Mean absolute error (what the LDM autoencoders train with, before their perceptual and GAN terms).</summary>
    L1,

    /// <summary>Mean squared error.</summary>
    Mse,
}
