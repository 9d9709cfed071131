namespace DitML.Training;

/// <summary>The losses of one training step, as a trainer hands them to <see cref="TrainingLoop"/>.</summary>
/// <param name="Loss">The loss that was minimized.</param>
/// <param name="Mse">The ε MSE term, where the loss has one (DiT's hybrid loss); null otherwise.</param>
/// <param name="Vb">The variational-bound term, where the loss has one; null otherwise.</param>
internal readonly record struct StepLoss(double Loss, double? Mse = null, double? Vb = null);
