using DitML.Diffusion;

namespace DitML.Sampling;

/// <summary>A sampler stepping over the "N"-spaced training steps with the respaced schedule (DDPM, DDIM).</summary>
internal abstract class RespacedSampler : DiffusionSampler
{
    protected RespacedSampler(SamplerOptions options, NoiseSchedule schedule) : base(options, schedule)
    {
        Kept = KeptSteps();
        Respaced = schedule.Respace(Kept);
    }

    /// <summary>The kept training steps, ascending.</summary>
    protected int[] Kept { get; }

    /// <summary>The schedule over the kept steps.</summary>
    protected NoiseSchedule Respaced { get; }

    public override int Steps => Kept.Length;

    public override int NetworkEvaluations => Kept.Length;
}
