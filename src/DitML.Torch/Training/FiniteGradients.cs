namespace DitML.Training;

/// <summary>
/// Runs a step's forward and backward pass again when its gradients are not finite, and stops training with a clear
/// error when they stay so. A safety net: on this project's CI machine libtorch now and then writes a NaN into a
/// convolution's input gradient (see <see cref="Native.CpuInstructionSet"/>); when that is transient, a step recomputed
/// from its (seed, step)-determined inputs gives the right gradients. A step whose gradients stay non-finite stops
/// training before the optimizer touches the weights (a divergence, or that fault persisting within the process).
/// </summary>
internal static class FiniteGradients
{
    /// <summary>Attempts per step before giving up.</summary>
    public const int Attempts = 3;

    /// <summary>
    /// Calls <paramref name="forwardBackward"/> (which must clear the gradients, compute the loss from inputs that
    /// depend only on the step, and call backward) until <paramref name="optimizer"/>'s gradients are finite. Before
    /// giving up it calls <paramref name="onDiverged"/> (a trainer saves its checkpoint there, so nothing is lost).
    /// </summary>
    /// <exception cref="InvalidOperationException">The gradients were not finite on any attempt.</exception>
    public static T Compute<T>(AdamW optimizer, long step, Action? onDiverged, Func<T> forwardBackward)
    {
        for (int attempt = 1; ; attempt++)
        {
            var result = forwardBackward();
            if (optimizer.GradientsAreFinite()) return result;
            if (attempt < Attempts) continue;
            onDiverged?.Invoke();
            throw new InvalidOperationException(
                $"the gradients of step {step} are not finite on {Attempts} tries: training diverged (try a lower learning rate or gradient clipping); the weights are those before this step");
        }
    }
}
