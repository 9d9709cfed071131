using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Models;

/// <summary>
/// A class-conditional diffusion transformer as the shared machinery sees it (the trainer, <c>TorchDenoiser</c>):
/// forward(x (N, C, I, I), t (N), y (N) int64) → (N, C_out, I, I), and the config it saves beside its state_dict.
/// Implemented by DiT and latent DiffiT, whose parameter names are their official state_dict keys.
/// </summary>
public interface IDiffusionTransformer : IDisposable
{
    /// <summary>Input channels C.</summary>
    int InChannels { get; }

    /// <summary>Spatial size I of the (square) input.</summary>
    int InputSize { get; }

    /// <summary>Whether the output has 2C channels (ε, then the variance interpolation v).</summary>
    bool LearnSigma { get; }

    /// <summary>Number of classes; the null class is this id.</summary>
    int NumClasses { get; }

    /// <summary>The metadata key under which the family's checkpoints store the config (DiT: "ditml.config").</summary>
    string ConfigMetadataKey { get; }

    /// <summary>The config as JSON, stored under <see cref="ConfigMetadataKey"/>.</summary>
    string ConfigJson { get; }

    /// <summary>The module itself (parameters, state_dict, train/eval).</summary>
    nn.Module Module { get; }

    /// <summary>x (N, C, I, I) float32, t (N) steps, y (N) int64 labels → (N, C_out, I, I).</summary>
    Tensor forward(Tensor x, Tensor t, Tensor y);
}
