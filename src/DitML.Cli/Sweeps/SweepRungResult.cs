using System.Text.Json.Serialization;

namespace DitML.Cli.Sweeps;

/// <summary>
/// What a trial reached at one rung: its training state and its evaluations. Stored as <c>rung-R.json</c> in the
/// trial folder (and as <c>result.json</c> when the trial is finished), so a rerun skips the work.
/// </summary>
/// <param name="Trial">The training knobs.</param>
/// <param name="Rung">Rung (0 for grid and random search).</param>
/// <param name="Steps">Optimizer steps trained in total.</param>
/// <param name="Gflops">Forward Gflops of the model for one image.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Evaluations">One per sampling combination.</param>
public sealed record SweepRungResult(
    [property: JsonPropertyName("trial")] SweepTrial Trial,
    [property: JsonPropertyName("rung")] int Rung,
    [property: JsonPropertyName("steps")] long Steps,
    [property: JsonPropertyName("gflops")] double Gflops,
    [property: JsonPropertyName("parameters")] long Parameters,
    [property: JsonPropertyName("evaluations")] IReadOnlyList<SweepEvaluation> Evaluations)
{
    /// <summary>Training compute in Gflop: forward Gflops × 3 (forward and backward) × batch × steps.</summary>
    [JsonIgnore]
    public double TrainingGflop => Gflops * 3 * Trial.Batch * Steps;

    /// <summary>The best evaluation under <paramref name="metric"/>.</summary>
    public SweepEvaluation Best(SweepMetric metric) => metric == SweepMetric.Fid
        ? Evaluations.MinBy(e => double.IsFinite(e.Fid) ? e.Fid : double.MaxValue)!
        : Evaluations.MaxBy(e => e.ClassAccuracy)!;

    /// <summary>The score that ranks the trial: its best evaluation's metric, oriented so larger is better.</summary>
    public double Score(SweepMetric metric)
    {
        double v = Best(metric).Value(metric);
        if (metric == SweepMetric.Fid) return double.IsFinite(v) ? -v : double.NegativeInfinity;
        return double.IsFinite(v) ? v : double.NegativeInfinity;
    }
}
