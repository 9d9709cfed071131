using System.Text.Json.Serialization;

namespace DitML.Cli.Sweeps;

/// <summary>
/// The values to search. Training knobs (depth, hidden size, heads, patch, learning rate, batch) define the trials;
/// sampling knobs (guidance, sampler, sampling steps) are evaluated on every trained trial without retraining.
/// A knob left out takes a default (lr 1e-4, batch 64, guidance 1.5, sampler dpm++, 20 sampling steps); the model
/// shape knobs (depth, hidden_size, heads, patch) must be given.
/// </summary>
public sealed record SweepSpace
{
    /// <summary>Transformer blocks.</summary>
    [JsonPropertyName("depth")] public IReadOnlyList<int>? Depth { get; init; }

    /// <summary>Token widths.</summary>
    [JsonPropertyName("hidden_size")] public IReadOnlyList<int>? HiddenSize { get; init; }

    /// <summary>Attention heads (each must divide each width).</summary>
    [JsonPropertyName("heads")] public IReadOnlyList<int>? Heads { get; init; }

    /// <summary>Patch sizes (each must divide the image size).</summary>
    [JsonPropertyName("patch")] public IReadOnlyList<int>? Patch { get; init; }

    /// <summary>AdamW learning rates.</summary>
    [JsonPropertyName("lr")] public IReadOnlyList<double>? Lr { get; init; }

    /// <summary>Images per step.</summary>
    [JsonPropertyName("batch")] public IReadOnlyList<int>? Batch { get; init; }

    /// <summary>Classifier-free guidance scales.</summary>
    [JsonPropertyName("guidance")] public IReadOnlyList<double>? Guidance { get; init; }

    /// <summary>Samplers: ddpm, ddim, dpm++ or heun.</summary>
    [JsonPropertyName("sampler")] public IReadOnlyList<string>? Sampler { get; init; }

    /// <summary>Sampler steps.</summary>
    [JsonPropertyName("sampling_steps")] public IReadOnlyList<int>? SamplingSteps { get; init; }
}
