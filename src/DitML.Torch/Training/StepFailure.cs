namespace DitML.Training;

/// <summary>
/// What a trainer does when a step fails: keeps the work done (writes the checkpoint of the last completed step when
/// it is newer than the saved one) and names, in the exception, the step that failed and the checkpoint that holds the
/// work. Shared by <see cref="DiTTrainer"/> and <see cref="EdmTrainer"/>.
/// </summary>
internal static class StepFailure
{
    /// <summary>
    /// The exception to throw for <paramref name="cause"/>. A failure in the step itself (<paramref name="stepDone"/>
    /// false) leaves the weights of the step before; one after it (logging, a periodic checkpoint: a full disk) leaves
    /// those of the completed step.
    /// </summary>
    public static TrainingFailedException Checkpointed(Exception cause, bool stepDone, long step, long saved, string checkpointPath, Action saveCheckpoint)
    {
        long failed = stepDone ? step : step + 1;
        (long Step, string? Path) kept = (saved, File.Exists(checkpointPath) ? checkpointPath : null);
        if (step > 0)
        {
            try
            {
                if (saved != step) saveCheckpoint();
                kept = (step, checkpointPath);
            }
            catch (Exception)
            {
                // The previous checkpoint (written atomically) is intact: the message names it.
            }
        }
        return new TrainingFailedException(failed, kept.Step, kept.Path, cause);
    }
}
