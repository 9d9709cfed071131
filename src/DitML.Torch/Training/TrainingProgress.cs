namespace DitML.Training;

/// <summary>One logged point of a training run.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">Steps of the run.</param>
/// <param name="Loss">Mean loss over the steps since the previous report.</param>
/// <param name="Mse">Mean ε MSE over the same steps (the loss itself for a loss without terms, as EDM's).</param>
/// <param name="Vb">Mean variational-bound term (bits) over the same steps; 0 without learned variance.</param>
/// <param name="StepsPerSecond">Speed over the same steps.</param>
public readonly record struct TrainingProgress(long Step, long TotalSteps, double Loss, double Mse, double Vb, double StepsPerSecond)
{
    /// <summary>The learning rate of the last step reported (the schedule's, <see cref="TrainerOptions.Schedule"/>).</summary>
    public double LearningRate { get; init; }
}
