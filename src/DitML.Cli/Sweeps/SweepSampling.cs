using System.Text.Json.Serialization;

namespace DitML.Cli.Sweeps;

/// <summary>One combination of the sampling knobs, evaluated on a trained trial without retraining.</summary>
/// <param name="Guidance">Classifier-free guidance scale.</param>
/// <param name="Sampler">Sampler name (ddpm, ddim, dpm++, heun).</param>
/// <param name="Steps">Sampler steps.</param>
public sealed record SweepSampling(
    [property: JsonPropertyName("guidance")] double Guidance,
    [property: JsonPropertyName("sampler")] string Sampler,
    [property: JsonPropertyName("sampling_steps")] int Steps);
