namespace DitML.Training;

/// <summary>What <see cref="TrainingLoop"/> drives: a trainer that takes one step at a time and writes its checkpoint.</summary>
internal interface ITrainingRun
{
    /// <summary>The settings (target, log and checkpoint cadence).</summary>
    TrainerOptions Options { get; }

    /// <summary>Steps done.</summary>
    long Step { get; }

    /// <summary>The run folder (holds log.jsonl and the checkpoint).</summary>
    string RunDirectory { get; }

    /// <summary>Puts the model in training mode before the first step.</summary>
    void BeginTraining();

    /// <summary>
    /// Takes the update of step <see cref="Step"/> at <paramref name="learningRate"/> and advances <see cref="Step"/>;
    /// on an exception, <see cref="Step"/> is unchanged. Runs inside a dispose scope the loop opens.
    /// </summary>
    StepLoss TrainStep(double learningRate);

    /// <summary>Writes the training checkpoint and the EMA weights.</summary>
    void SaveCheckpoint();
}
