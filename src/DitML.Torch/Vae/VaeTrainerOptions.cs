using DitML.Training;

namespace DitML.Vae;

/// <summary>Settings of <see cref="VaeTrainer"/>.</summary>
public sealed record VaeTrainerOptions
{
    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>The reconstruction term.</summary>
    public VaeReconstructionLoss Reconstruction { get; init; } = VaeReconstructionLoss.L1;

    /// <summary>
    /// Weight β of the KL term, in LDM's units: the loss is LDM's (Σ_pixels rec + β·Σ_latents KL) / batch, divided by
    /// the pixel elements per image, so β = 1e-6 is the Stable Diffusion autoencoder's weight.
    /// </summary>
    public double KlWeight { get; init; } = 1e-6;

    /// <summary>Decode a posterior sample (true, the KL autoencoder's training) or the mean.</summary>
    public bool SamplePosterior { get; init; } = true;

    /// <summary>AdamW settings (DitML's PyTorch-exact update).</summary>
    public AdamWOptions Optimizer { get; init; } = new() { LearningRate = 1e-4 };

    /// <summary>Seed of the batch order and the posterior noise; step s's draws depend only on (seed, s).</summary>
    public long Seed { get; init; }

    /// <summary>Checks the settings; returns this.</summary>
    public VaeTrainerOptions Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException($"batch size must be positive, got {BatchSize}", nameof(BatchSize));
        if (!(KlWeight >= 0)) throw new ArgumentException($"KL weight must be ≥ 0, got {KlWeight}", nameof(KlWeight));
        ArgumentNullException.ThrowIfNull(Optimizer);
        Optimizer.Validate();
        return this;
    }
}
