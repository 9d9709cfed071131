namespace DitML.Training;

/// <summary>
/// Stops training with a clear error when a step's gradients are not finite (a divergence), before the optimizer
/// touches the weights, after giving the trainer a chance to save what it has.
/// </summary>
internal static class FiniteGradients
{
    /// <summary>
    /// Returns when <paramref name="optimizer"/>'s gradients are finite; otherwise calls <paramref name="onDiverged"/> (a
    /// trainer saves its checkpoint there, so nothing is lost) and throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">A gradient is NaN or infinite.</exception>
    public static void Check(AdamW optimizer, long step, Action? onDiverged)
    {
        if (optimizer.GradientsAreFinite()) return;
        onDiverged?.Invoke();
        throw new InvalidOperationException(
            $"the gradients of step {step} are not finite: training diverged (try a lower learning rate or gradient clipping); the weights are those before this step");
    }
}
