namespace DitML.Training;

/// <summary>How the learning rate falls in a <see cref="LearningRateSchedule"/>'s decay phase.</summary>
public enum LearningRateDecay
{
    /// <summary>No decay: constant after the warm-up (the DiT recipe).</summary>
    None,

    /// <summary>Half a cosine from the peak down to the final fraction.</summary>
    Cosine,

    /// <summary>A straight line from the peak down to the final fraction.</summary>
    Linear,
}
