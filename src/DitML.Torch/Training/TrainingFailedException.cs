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

    /// <summary>The step that failed (1-based: the step being computed, or the one whose log line or checkpoint failed).</summary>
    public long FailedStep { get; }

    /// <summary>The step the checkpoint on disk holds (the last completed one, or the last saved when saving failed).</summary>
    public long SavedStep { get; }

    /// <summary>The checkpoint written, or null when writing it failed too (or no step had completed).</summary>
    public string? CheckpointPath { get; }

    private static string Describe(long failedStep, long savedStep, string? path, Exception cause)
    {
        string kept = path is null
            ? savedStep == 0 && failedStep <= 1 ? "no step had completed, nothing to save" : "no checkpoint could be written"
            : $"the checkpoint of step {savedStep} is in {path} (resume to continue)";
        return $"training stopped at step {failedStep}: {cause.Message}; {kept}";
    }
}
