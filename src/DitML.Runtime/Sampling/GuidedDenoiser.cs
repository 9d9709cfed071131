namespace DitML.Sampling;

/// <summary>
/// Classifier-free guidance around a denoiser: one batched evaluation of [conditional; null-class] rows, then
/// ε = ε_u + s(t)·(ε_c − ε_u) on all channels, or on the first 3 (the official DiT code, latent DiffiT), the others
/// passing through from the conditional row. s(t) is the options' scale under their <see cref="GuidanceSchedule"/>
/// (constant, or latent DiffiT's power-cosine ramp over the original step index t). The variance output is the
/// conditional row's. With s = 1 only the conditional half is evaluated. Buffers are allocated once and reused.
/// </summary>
internal sealed class GuidedDenoiser
{
    private readonly IDenoiser model;
    private readonly SamplerOptions options;
    private readonly float[] input;
    private readonly float[] times;
    private readonly long[] labels;
    private readonly float[] output;
    private readonly GuidanceSchedule schedule;
    private readonly int trainingSteps;

    public GuidedDenoiser(IDenoiser model, SamplerOptions options, int maxRows, int trainingSteps)
    {
        this.model = model;
        this.options = options;
        this.trainingSteps = trainingSteps;
        schedule = options.GuidanceSchedule ?? GuidanceSchedule.Constant;
        int rows = Guided ? 2 * maxRows : maxRows;
        input = new float[rows * Plane];
        times = new float[rows];
        labels = new long[rows];
        output = new float[rows * OutChannels * PlaneSize];
    }

    /// <summary>Network evaluations so far (one per batched call).</summary>
    public int Evaluations { get; private set; }

    private double Scale => options.GuidanceScale ?? SamplerOptions.DefaultGuidanceScale;

    private bool Guided => Scale != 1.0;

    private int PlaneSize => model.Height * model.Width;

    private int Plane => model.Channels * PlaneSize;

    private int OutChannels => model.LearnSigma ? 2 * model.Channels : model.Channels;

    /// <summary>
    /// Evaluates rows x (n, C, H, W) at step t with labels y; writes ε (n, C, H, W) and, for learned variance, v (same shape).
    /// </summary>
    public void Evaluate(ReadOnlySpan<float> x, double t, ReadOnlySpan<long> y, Span<float> eps, Span<float> v)
    {
        int n = y.Length, rows = Guided ? 2 * n : n;
        x.CopyTo(input);
        if (Guided) x.CopyTo(input.AsSpan(n * Plane));
        for (int i = 0; i < n; i++)
        {
            labels[i] = y[i];
            if (Guided) labels[n + i] = model.NumClasses;
        }
        times.AsSpan(0, rows).Fill((float)t);
        model.Predict(input.AsSpan(0, rows * Plane), times.AsSpan(0, rows), labels.AsSpan(0, rows), output.AsSpan(0, rows * OutChannels * PlaneSize));
        Evaluations++;

        int outRow = OutChannels * PlaneSize, guidedChannels = options.GuideFirstThreeChannels ? Math.Min(3, model.Channels) : model.Channels;
        float s = (float)schedule.ScaleAt(Scale, t, trainingSteps);
        for (int i = 0; i < n; i++)
        {
            var cond = output.AsSpan(i * outRow, outRow);
            var dst = eps.Slice(i * Plane, Plane);
            cond[..Plane].CopyTo(dst);
            if (Guided)
            {
                var uncond = output.AsSpan((n + i) * outRow, outRow);
                for (int k = 0; k < guidedChannels * PlaneSize; k++) dst[k] = uncond[k] + s * (cond[k] - uncond[k]);
            }
            if (model.LearnSigma) cond.Slice(Plane, Plane).CopyTo(v.Slice(i * Plane, Plane));
        }
    }
}
