namespace DitML.Sampling;

/// <summary>
/// How NVIDIA's release samples latent DiffiT (sample.py and its scripts): DDPM, 250 respaced steps, guidance on the
/// first 3 output channels only (3.. pass through, the conditional row's; the variance is the conditional row's), with
/// the power-cosine schedule (exponent 4) at latent size ≤ 32 and a constant scale above; scale 4.4 at 256 px and
/// 1.49 at 512 px. The exporter writes these into the model's metadata, so every sampler applies them.
/// </summary>
public static class LatentDiffiTGuidance
{
    /// <summary>The released 256-px scale (the paper's table says 4.6).</summary>
    public const double Scale256 = 4.4;

    /// <summary>The released 512-px scale (constant schedule).</summary>
    public const double Scale512 = 1.49;

    /// <summary>The release's sampling steps (DDPM ancestral, respaced).</summary>
    public const int SamplingSteps = 250;

    /// <summary>Output channels guided (the rest pass through).</summary>
    public const int GuidedChannels = 3;

    /// <summary>The largest latent size that uses the power-cosine schedule (32: 256-px images).</summary>
    public const int MaxPowerCosineInputSize = 32;

    /// <summary>The release's schedule for a latent of side <paramref name="inputSize"/>: power-cosine (k = 4) up to 32, else constant.</summary>
    public static GuidanceSchedule ScheduleFor(int inputSize) =>
        inputSize <= MaxPowerCosineInputSize ? GuidanceSchedule.PowerCosine(GuidanceSchedule.DefaultPower) : GuidanceSchedule.Constant;

    /// <summary>The release's scale for a latent of side <paramref name="inputSize"/>: 4.4 up to 32, else 1.49.</summary>
    public static double ScaleFor(int inputSize) => inputSize <= MaxPowerCosineInputSize ? Scale256 : Scale512;
}
