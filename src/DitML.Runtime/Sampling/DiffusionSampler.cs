using System.Globalization;
using DitML.Diffusion;
using DitML.Generation;

namespace DitML.Sampling;

/// <summary>
/// Draws samples from a denoiser. Rows are processed in batches; every row has its own noise stream (<see cref="RowNoise"/>)
/// seeded by its seed, so its result depends only on its own seed, label and the settings.
/// </summary>
public abstract class DiffusionSampler
{
    /// <summary>Creates the sampler the options name, over <paramref name="schedule"/> (default: the linear 1000-step schedule).</summary>
    public static DiffusionSampler Create(SamplerOptions options, NoiseSchedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        schedule ??= NoiseSchedule.Linear();
        // The sampler's options say the scale it uses, so a null (no preference) becomes the paper's here.
        options = options.Validate(schedule.Steps) with { GuidanceScale = options.GuidanceScale ?? SamplerOptions.DefaultGuidanceScale };
        return options.Sampler switch
        {
            SamplerKind.Ddpm => new DdpmSampler(options, schedule),
            SamplerKind.Ddim => new DdimSampler(options, schedule),
            SamplerKind.DpmSolverPlusPlus => new DpmSolverPlusPlusSampler(options, schedule),
            SamplerKind.Heun => new HeunSampler(options, schedule),
            _ => throw new ArgumentException($"unknown sampler {options.Sampler}", nameof(options)),
        };
    }

    /// <summary>
    /// Creates EDM's deterministic Heun sampler for a model that is the preconditioned denoiser D(x; σ) of an EDM-trained
    /// network (it takes σ in place of a step): <see cref="SamplerOptions.Steps"/> Karras steps from σ_max to σ_min, then 0.
    /// EDM models are sampled only this way: EDM's paper and image-space DiffiT use no other sampler.
    /// </summary>
    /// <exception cref="ArgumentException">The options name another sampler than <see cref="SamplerKind.Heun"/>, or a setting is invalid.</exception>
    public static DiffusionSampler CreateEdm(SamplerOptions options, EdmSettings? edm = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Sampler != SamplerKind.Heun)
            throw new ArgumentException($"an EDM model is sampled with EDM's Heun sampler (heun), not {options.Sampler}", nameof(options));
        var schedule = NoiseSchedule.Linear();                                // unused by the EDM path; kept for the base's contract
        options = options.Validate(schedule.Steps) with { GuidanceScale = options.GuidanceScale ?? SamplerOptions.DefaultGuidanceScale };
        return new HeunSampler(options, schedule, edm ?? new EdmSettings());
    }

    /// <summary>Creates the sampler.</summary>
    protected DiffusionSampler(SamplerOptions options, NoiseSchedule schedule)
    {
        Options = options;
        Schedule = schedule;
    }

    /// <summary>The settings.</summary>
    public SamplerOptions Options { get; }

    /// <summary>The training schedule of the model.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>Sampler steps, each one progress report.</summary>
    public abstract int Steps { get; }

    /// <summary>Network evaluations per batch (guided evaluations count once: they are one batched call).</summary>
    public abstract int NetworkEvaluations { get; }

    /// <summary>
    /// Samples one row per (label, seed): returns (N, C, H, W) float32 in the model's space (latents, or pixels in
    /// about [−1, 1]). <paramref name="progress"/> hears of every step; <paramref name="cancellationToken"/> is checked
    /// before each batch and after each step, so a cancelled run stops within one network evaluation.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public float[] Sample(IDenoiser model, ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (labels.Length != seeds.Length) throw new ArgumentException($"{labels.Length} labels but {seeds.Length} seeds");
        foreach (var y in labels)
        {
            if (y < 0 || y >= model.NumClasses)
                throw new ArgumentOutOfRangeException(nameof(labels), y, $"class {y} is out of range: the model knows classes 0..{model.NumClasses - 1}");
        }
        int plane = model.Channels * model.Height * model.Width;
        var result = new float[labels.Length * plane];
        int batch = Math.Min(Options.BatchSize, Math.Max(1, labels.Length));
        var guided = new GuidedDenoiser(model, Options, batch, Schedule.Steps);
        var work = new SamplerBuffers(batch * plane, model.LearnSigma);
        for (int start = 0; start < labels.Length; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(batch, labels.Length - start);
            var noise = new RowNoise[n];
            var x = result.AsSpan(start * plane, n * plane);
            for (int i = 0; i < n; i++)
            {
                noise[i] = new RowNoise(seeds[start + i]);
                noise[i].Fill(x.Slice(i * plane, plane));
            }
            int step = 0;
            SampleBatch(guided, x, labels.Slice(start, n), noise, work, () =>
            {
                progress?.Report(new GenerationProgress(++step, Steps, n));
                cancellationToken.ThrowIfCancellationRequested();
            });
        }
        return result;
    }

    /// <summary>Runs the sampler on one batch: <paramref name="x"/> holds standard normal noise on entry and the samples on exit.</summary>
    private protected abstract void SampleBatch(GuidedDenoiser model, Span<float> x, ReadOnlySpan<long> y, RowNoise[] noise, SamplerBuffers work, Action stepDone);

    /// <summary>The kept training steps of an "N"-spaced schedule of <see cref="SamplerOptions.Steps"/> steps.</summary>
    private protected int[] KeptSteps() => TimestepSpacing.Parse(Schedule.Steps, Options.Steps.ToString(CultureInfo.InvariantCulture));

    /// <summary>x₀ = √(1/ᾱ)·x − √(1/ᾱ − 1)·ε, optionally clipped to [−1, 1].</summary>
    private protected void PredictStart(ReadOnlySpan<float> x, ReadOnlySpan<float> eps, double alphaCumprod, Span<float> x0)
    {
        double a = Math.Sqrt(1 / alphaCumprod), b = Math.Sqrt(1 / alphaCumprod - 1);
        for (int k = 0; k < x.Length; k++)
        {
            double v = a * x[k] - b * eps[k];
            x0[k] = (float)(Options.ClipDenoised ? Math.Clamp(v, -1, 1) : v);
        }
    }

    /// <summary>Adds σ·z with z from each row's own stream.</summary>
    private protected static void AddNoise(Span<float> x, ReadOnlySpan<double> sigma, RowNoise[] noise)
    {
        int plane = x.Length / noise.Length;
        for (int i = 0; i < noise.Length; i++)
        {
            var row = x.Slice(i * plane, plane);
            for (int k = 0; k < plane; k++) row[k] += (float)(sigma.Length == 1 ? sigma[0] : sigma[i * plane + k]) * (float)noise[i].NextGaussian();
        }
    }
}
