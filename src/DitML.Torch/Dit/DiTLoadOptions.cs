using DitML.Models;
using DitML.Checkpoints;

namespace DitML.Dit;

/// <summary>
/// How to build the model for a DiT checkpoint. A DitML checkpoint carries its config and needs none of this; an
/// official file takes its config from here (<see cref="Model"/> and the sizes), from its training arguments, or —
/// for the paper's sizes — from the shapes of its tensors.
/// </summary>
public sealed record DiTLoadOptions
{
    /// <summary>The full config (for free configs); when set, the other size options are ignored.</summary>
    public DiTConfig? Config { get; init; }

    /// <summary>Paper config name ("DiT-XL/2"); null to take it from the file.</summary>
    public string? Model { get; init; }

    /// <summary>Spatial size the transformer sees (latent size: image size / 8 for SD-VAE latents).</summary>
    public int? InputSize { get; init; }

    /// <summary>Input channels (4 for SD-VAE latents).</summary>
    public int? InChannels { get; init; }

    /// <summary>Number of classes (1000 for ImageNet).</summary>
    public int? NumClasses { get; init; }

    /// <summary>EMA (default when present) or raw weights of a training checkpoint.</summary>
    public CheckpointWeights Weights { get; init; } = CheckpointWeights.Auto;

    /// <summary>Conditioning design, for checkpoints of the non-default variants that carry no config.</summary>
    public DiTConditioning? Conditioning { get; init; }
}
