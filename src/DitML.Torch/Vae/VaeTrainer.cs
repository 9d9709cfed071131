using System.Text.Json;
using DitML.Data;
using DitML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>
/// Trains a KL autoencoder on an <see cref="IImageDataset"/> for data that has no published VAE: reconstruction (L1 or
/// MSE) plus a small KL weight, AdamW. No perceptual (LPIPS) or adversarial term: reconstructions are blurrier than
/// SD's. Batches and posterior noise of step s depend only on (seed, s).
/// </summary>
public sealed class VaeTrainer : IDisposable
{
    private readonly IImageDataset data;
    private readonly AdamW optimizer;
    private readonly BatchSchedule batches;

    /// <summary>Trains <paramref name="model"/> (in place) on <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The images do not fit the model (channels, or sizes not divisible by the downsample factor).</exception>
    public VaeTrainer(AutoencoderKL model, IImageDataset data, VaeTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        Options = (options ?? new VaeTrainerOptions()).Validate();
        var c = model.Config;
        if (data.Count == 0) throw new ArgumentException("the dataset is empty", nameof(data));
        if (data.Channels != c.InChannels || data.Channels != c.OutChannels)
            throw new ArgumentException($"the data has {data.Channels} channels but the VAE takes {c.InChannels} and gives {c.OutChannels}", nameof(data));
        if (data.Height % c.DownsampleFactor != 0 || data.Width % c.DownsampleFactor != 0)
            throw new ArgumentException($"the images are {data.Height}×{data.Width}; both sides must be multiples of {c.DownsampleFactor}", nameof(data));
        Model = model;
        this.data = data;
        optimizer = new AdamW(model, Options.Optimizer);
        batches = new BatchSchedule(data.Count, Options.Seed);
    }

    /// <summary>The model being trained.</summary>
    public AutoencoderKL Model { get; }

    /// <summary>The settings.</summary>
    public VaeTrainerOptions Options { get; }

    /// <summary>Steps done.</summary>
    public long Step { get; private set; }

    /// <summary>Runs <paramref name="steps"/> steps; returns their losses.</summary>
    /// <exception cref="InvalidOperationException">A step's gradients are not finite (training diverged); the weights are those before that step.</exception>
    public IReadOnlyList<VaeLossTerms> Train(int steps, Action<VaeLossTerms>? progress = null)
    {
        var log = new List<VaeLossTerms>(steps);
        for (int i = 0; i < steps; i++)
        {
            var terms = TrainStep();
            log.Add(terms);
            progress?.Invoke(terms);
        }
        return log;
    }

    /// <summary>
    /// Trains until <see cref="Step"/> reaches <paramref name="steps"/> or <paramref name="cancellation"/> is signalled
    /// (the step under way finishes). Each step's losses go to <paramref name="progress"/>; every
    /// <paramref name="logEvery"/> steps, and at the last, the means since the previous line are appended to
    /// <paramref name="logPath"/> as a JSON line (<c>step, loss, reconstruction, kl</c>: what <c>ditml</c>'s loss curve
    /// reads). Returns the step reached.
    /// </summary>
    /// <exception cref="InvalidOperationException">A step's gradients are not finite; the lines logged so far are kept.</exception>
    public long Run(long steps, string? logPath = null, int logEvery = 50, IProgress<VaeLossTerms>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(logEvery, 1);
        using var log = logPath is null ? null : new StreamWriter(logPath, append: true);
        var window = new List<VaeLossTerms>();
        while (Step < steps && !cancellation.IsCancellationRequested)
        {
            var terms = TrainStep();
            window.Add(terms);
            progress?.Report(terms);
            if (Step % logEvery == 0 || Step == steps) Flush();
        }
        if (window.Count > 0) Flush();                                      // stopped early: the steps since the last line
        return Step;

        void Flush()
        {
            log?.WriteLine(JsonSerializer.Serialize(new
            {
                step = Step, loss = window.Average(t => t.Total), reconstruction = window.Average(t => t.Reconstruction), kl = window.Average(t => t.KullbackLeibler),
            }));
            log?.Flush();
            window.Clear();
        }
    }

    /// <summary>One AdamW step on the next batch.</summary>
    /// <exception cref="InvalidOperationException">The gradients are not finite (training diverged); the weights are unchanged.</exception>
    public VaeLossTerms TrainStep()
    {
        Model.train();
        using var scope = NewDisposeScope();
        using var x = NextBatch();                                             // (B, C, H, W) in [−1, 1]
        long pixelElements = x.shape[1] * x.shape[2] * x.shape[3];
        using var klWeight = (Options.KlWeight / pixelElements).ToScalar();   // explicit: see DiagonalGaussian
        using var generator = new Generator(unchecked((ulong)DerivedSeed.Of(Options.Seed, Step)));   // posterior noise from (seed, step)
        using var posterior = Model.Encode(x);
        using var z = Options.SamplePosterior ? posterior.Sample(generator) : posterior.Mode();
        var reconstruction = Model.Decode(z);
        var error = reconstruction - x;
        var rec = Options.Reconstruction == VaeReconstructionLoss.L1 ? error.abs().mean() : error.square().mean();
        var kl = posterior.KullbackLeibler().mean();
        var total = rec + kl.mul(klWeight);
        optimizer.ZeroGrad();
        total.backward();
        FiniteGradients.Check(optimizer, Step, onDiverged: null);
        optimizer.Update();
        var terms = new VaeLossTerms(Step, rec.item<float>(), kl.item<float>(), total.item<float>());
        Step++;
        return terms;
    }

    private Tensor NextBatch()
    {
        int b = Options.BatchSize, plane = data.Channels * data.Height * data.Width;
        var indices = new int[b];
        batches.Indices(Step, indices);
        var pixels = new float[b * plane];
        data.CopyImages(indices, pixels);
        // Cloned while the array is alive: a tensor made from a managed array may share its memory.
        using var view = tensor(pixels, [b, data.Channels, data.Height, data.Width]);
        var batch = view.clone();
        GC.KeepAlive(pixels);
        return batch;
    }

    /// <inheritdoc/>
    public void Dispose() => optimizer.Dispose();
}
