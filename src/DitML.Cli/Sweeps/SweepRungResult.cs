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

    /// <summary>The best evaluation under <paramref name="metric"/> (ties broken by the other metric).</summary>
    public SweepEvaluation Best(SweepMetric metric) => Evaluations
        .OrderByDescending(e => Oriented(e.Value(metric), metric))
        .ThenByDescending(e => Secondary(e, metric))
        .First();

    /// <summary>The other metric, oriented so larger is better: breaks ties of the ranking metric (e.g. equal class accuracy).</summary>
    public static double Secondary(SweepEvaluation evaluation, SweepMetric metric) => metric == SweepMetric.Fid
        ? Oriented(evaluation.ClassAccuracy, SweepMetric.ClassAccuracy)
        : Oriented(evaluation.Fid, SweepMetric.Fid);

    /// <summary>The ranking metric's tie-breaker for the trial (see <see cref="Secondary"/>).</summary>
    public double TieBreak(SweepMetric metric) => Secondary(Best(metric), metric);

    private static double Oriented(double value, SweepMetric metric) =>
        !double.IsFinite(value) ? double.NegativeInfinity : metric == SweepMetric.Fid ? -value : value;

    /// <summary>The score that ranks the trial: its best evaluation's metric, oriented so larger is better.</summary>
    public double Score(SweepMetric metric) => Oriented(Best(metric).Value(metric), metric);
}
