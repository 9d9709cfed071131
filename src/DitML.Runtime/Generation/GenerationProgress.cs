namespace DitML.Generation;

/// <summary>Progress of a generation run: network evaluations done out of the total for the current batch.</summary>
/// <param name="Step">Sampler steps completed.</param>
/// <param name="TotalSteps">Sampler steps in all.</param>
/// <param name="Images">Images in the batch being generated.</param>
public readonly record struct GenerationProgress(int Step, int TotalSteps, int Images);
