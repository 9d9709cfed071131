namespace DitML.Sampling;

/// <summary>How the classifier-free guidance scale varies over the sampling steps.</summary>
public enum GuidanceScheduleKind
{
    /// <summary>The same scale s at every step (DiT; latent DiffiT at 512 px).</summary>
    Constant,

    /// <summary>
    /// MDT's power-cosine ramp, as latent DiffiT uses at latent size ≤ 32: s(t) = 1 + (s − 1)·½(1 − cos(π·(1 − t/T)^k)),
    /// t the original step index, T the training steps, k the power: no guidance at the noisiest step, full s at t = 0.
    /// </summary>
    PowerCosine,
}
