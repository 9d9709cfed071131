using System.Text.Json.Serialization;

namespace DitML.Cli.Sweeps;

/// <summary>The scores of one trained trial under one sampling setting.</summary>
/// <param name="Sampling">The sampling setting.</param>
/// <param name="ClassAccuracy">Share of samples classified as the requested class.</param>
/// <param name="Fid">Fréchet distance of the samples' classifier features to the reference statistics.</param>
/// <param name="Seconds">Sampling and scoring time.</param>
public sealed record SweepEvaluation(
    [property: JsonPropertyName("sampling")] SweepSampling Sampling,
    [property: JsonPropertyName("class_accuracy")] double ClassAccuracy,
    [property: JsonPropertyName("fid")] double Fid,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    /// <summary>The value of <paramref name="metric"/>.</summary>
    public double Value(SweepMetric metric) => metric == SweepMetric.Fid ? Fid : ClassAccuracy;
}
