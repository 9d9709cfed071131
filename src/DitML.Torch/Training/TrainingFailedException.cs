namespace DitML.Training;

/// <summary>
/// A training step failed (bad data, a divergence, a full disk, any exception) after the trainer wrote the checkpoint of
/// the last completed step; the original error is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class TrainingFailedException : Exception
{
    /// <summary>Creates the error for step <paramref name="failedStep"/> with the checkpoint's path, or null if none could be written.</summary>
    public TrainingFailedException(long failedStep, long savedStep, string? checkpointPath, Exception cause)
        : base(Describe(failedStep, savedStep, checkpointPath, cause), cause)
    {
        FailedStep = failedStep;
        SavedStep = savedStep;
        CheckpointPath = checkpointPath;
    }

    /// <summary>The step that failed (1-based: the step being computed).</summary>
    public long FailedStep { get; }

    /// <summary>The last completed step, the one the checkpoint holds.</summary>
    public long SavedStep { get; }

    /// <summary>The checkpoint written, or null when writing it failed too (or no step had completed).</summary>
    public string? CheckpointPath { get; }

    private static string Describe(long failedStep, long savedStep, string? path, Exception cause)
    {
        string kept = path is null
            ? savedStep == 0 ? "no step had completed, nothing to save" : $"writing the checkpoint of step {savedStep} failed too"
            : $"the checkpoint of step {savedStep} is in {path} (resume to continue)";
        return $"training stopped at step {failedStep}: {cause.Message}; {kept}";
    }
}
