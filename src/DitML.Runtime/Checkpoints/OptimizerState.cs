namespace DitML.Checkpoints;

/// <summary>
/// The AdamW state of an official DiT training checkpoint (<c>opt</c>, torch.optim's state_dict): each updated
/// parameter's moments by its index in <c>model.parameters()</c>, the step, and the first parameter group's settings.
/// </summary>
/// <param name="Step">Optimizer steps taken.</param>
/// <param name="Moments">exp_avg and exp_avg_sq by parameter index (frozen parameters have none).</param>
/// <param name="ParameterCount">Parameters in the group (updated or not).</param>
/// <param name="LearningRate">The group's lr.</param>
/// <param name="Beta1">β₁.</param>
/// <param name="Beta2">β₂.</param>
/// <param name="Epsilon">ε.</param>
/// <param name="WeightDecay">The decoupled weight decay.</param>
public sealed record OptimizerState(
    long Step, IReadOnlyDictionary<long, (CheckpointTensor ExpAvg, CheckpointTensor ExpAvgSq)> Moments, int ParameterCount,
    double LearningRate, double Beta1, double Beta2, double Epsilon, double WeightDecay);
