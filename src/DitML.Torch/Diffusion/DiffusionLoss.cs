using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Diffusion;

/// <summary>
/// The training objective DiT uses (improved DDPM): noise the data at uniform t, predict ε; with learned variance the
/// loss is the ε MSE plus the variational bound (KL between true and model posteriors in bits, computed with ε
/// detached so it trains only the variance; at t = 0 the NLL of a discretized Gaussian with bins of width 2/255).
/// Schedule values are computed in double and cast per element, as the official code does.
/// </summary>
public sealed class DiffusionLoss
{
    private readonly NoiseSchedule schedule;

    // Constants as Scalars that live as long as the process: TorchSharp's implicit number → Scalar conversions leave the
    // Scalar to the finalizer, which can free it while libtorch still reads it (see AdamW.Update).
    private static readonly Scalar One = 1.0.ToScalar(), MinusOne = (-1.0).ToScalar(), Half = 0.5.ToScalar(), Three = 3.0.ToScalar();
    private static readonly Scalar Ln2 = Math.Log(2.0).ToScalar(), BinHalfWidth = (1.0 / 255.0).ToScalar(), Tiny = 1e-12.ToScalar();
    private static readonly Scalar EdgeLow = (-0.999).ToScalar(), EdgeHigh = 0.999.ToScalar();
    private static readonly Scalar FirstStep = 0L.ToScalar();
    private static readonly Scalar CdfCubic = 0.044715.ToScalar(), CdfSlope = Math.Sqrt(2.0 / Math.PI).ToScalar();

    /// <summary>Creates the loss over <paramref name="schedule"/> (default: linear, 1000 steps).</summary>
    public DiffusionLoss(NoiseSchedule? schedule = null) => this.schedule = schedule ?? NoiseSchedule.Linear();

    /// <summary>Training steps T.</summary>
    public int Steps => schedule.Steps;

    /// <summary>Uniform integer steps in 0..T−1, (N) int64.</summary>
    public Tensor SampleTimesteps(long n, Device? device = null, Generator? generator = null) =>
        randint(0, schedule.Steps, [n], dtype: int64, device: device, generator: generator);

    /// <summary>x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε.</summary>
    public Tensor QSample(Tensor x0, Tensor t, Tensor noise)
    {
        using var scope = NewDisposeScope();
        var a = Extract(Sqrt(schedule.AlphasCumprod), t, x0);
        var b = Extract(Sqrt(schedule.AlphasCumprod.Select(v => 1 - v).ToArray()), t, x0);
        return (a * x0 + b * noise).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The loss terms for a model output (N, C or 2C, H, W) at x_t = QSample(x0, t, noise). Use
    /// <see cref="Compute(Func{Tensor, Tensor, Tensor}, Tensor, Tensor, Tensor)"/> to run the model too.
    /// </summary>
    public DiffusionLossTerms FromModelOutput(Tensor modelOutput, Tensor x0, Tensor xt, Tensor t, Tensor noise)
    {
        using var scope = NewDisposeScope();
        long c = x0.shape[1];
        bool learned = modelOutput.shape[1] == 2 * c;
        if (!learned && modelOutput.shape[1] != c)
            throw new ArgumentException($"model output has {modelOutput.shape[1]} channels; expected {c} or {2 * c}", nameof(modelOutput));
        var eps = learned ? modelOutput.narrow(1, 0, c) : modelOutput;
        var mse = MeanFlat((noise - eps).square());
        if (!learned)
        {
            var loss = mse.clone();
            return new DiffusionLossTerms(loss.MoveToOuterDisposeScope(), mse.MoveToOuterDisposeScope(), null);
        }

        var v = modelOutput.narrow(1, c, c);
        var frozenEps = eps.detach();
        // Model posterior from the frozen ε and the learned variance.
        var minLog = Extract(schedule.PosteriorLogVarianceClipped, t, xt);
        var maxLog = Extract(schedule.Betas.Select(b => Math.Log(b)).ToArray(), t, xt);
        var frac = v.add(One).mul(Half);                                   // (v + 1) / 2
        var modelLogVar = frac * maxLog + frac.neg().add(One) * minLog;
        var predX0 = Extract(schedule.AlphasCumprod.Select(a => Math.Sqrt(1 / a)).ToArray(), t, xt) * xt
                     - Extract(schedule.AlphasCumprod.Select(a => Math.Sqrt(1 / a - 1)).ToArray(), t, xt) * frozenEps;
        var modelMean = PosteriorMean(predX0, xt, t);
        // True posterior q(x_{t−1} | x_t, x_0).
        var trueMean = PosteriorMean(x0, xt, t);
        var trueLogVar = Extract(schedule.PosteriorLogVarianceClipped, t, xt);

        var kl = MeanFlat(NormalKl(trueMean, trueLogVar, modelMean, modelLogVar)).div(Ln2);
        var nll = MeanFlat(-DiscretizedGaussianLogLikelihood(x0, modelMean, modelLogVar.mul(Half))).div(Ln2);
        var vb = where(t.eq(FirstStep), nll, kl);
        var total = mse + vb;
        return new DiffusionLossTerms(total.MoveToOuterDisposeScope(), mse.MoveToOuterDisposeScope(), vb.MoveToOuterDisposeScope());
    }

    /// <summary>Runs <paramref name="model"/>(x_t, t) on freshly noised data and returns the loss terms.</summary>
    public DiffusionLossTerms Compute(Func<Tensor, Tensor, Tensor> model, Tensor x0, Tensor t, Tensor noise)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var xt = QSample(x0, t, noise);
        using var output = model(xt, t);
        return FromModelOutput(output, x0, xt, t, noise);
    }

    private Tensor PosteriorMean(Tensor x0, Tensor xt, Tensor t) =>
        Extract(schedule.PosteriorMeanCoef1, t, xt) * x0 + Extract(schedule.PosteriorMeanCoef2, t, xt) * xt;

    /// <summary>KL(N(m1, e^lv1) ‖ N(m2, e^lv2)) elementwise, in nats.</summary>
    private static Tensor NormalKl(Tensor m1, Tensor lv1, Tensor m2, Tensor lv2) =>
        (lv2.add(MinusOne) - lv1 + (lv1 - lv2).exp() + (m1 - m2).square() * (-lv2).exp()).mul(Half);

    /// <summary>log-likelihood of data in [−1, 1] under a Gaussian discretized into 255 bins (edge bins open), in nats.</summary>
    private static Tensor DiscretizedGaussianLogLikelihood(Tensor x, Tensor mean, Tensor logScale)
    {
        var centered = x - mean;
        var invStd = (-logScale).exp();
        var cdfPlus = ApproxStandardNormalCdf(invStd * centered.add(BinHalfWidth));
        var cdfMin = ApproxStandardNormalCdf(invStd * centered.sub(BinHalfWidth));
        var logCdfPlus = cdfPlus.clamp(min: Tiny).log();
        var logOneMinusCdfMin = cdfMin.neg().add(One).clamp(min: Tiny).log();
        var logDelta = (cdfPlus - cdfMin).clamp(min: Tiny).log();
        return where(x.lt(EdgeLow), logCdfPlus, where(x.gt(EdgeHigh), logOneMinusCdfMin, logDelta));
    }

    private static Tensor ApproxStandardNormalCdf(Tensor x) =>
        tanh(x.add(x.pow(Three).mul(CdfCubic)).mul(CdfSlope)).add(One).mul(Half);      // ½(1 + tanh(√(2/π)(x + 0.044715x³)))

    private static Tensor MeanFlat(Tensor x) => x.mean(Enumerable.Range(1, (int)x.dim() - 1).Select(i => (long)i).ToArray());

    /// <summary>arr[t] (computed in double, cast to float32), shaped (N, 1, 1, …) to broadcast over <paramref name="like"/>.</summary>
    private static Tensor Extract(double[] values, Tensor t, Tensor like)
    {
        using var table = tensor(values, dtype: float64, device: t.device);
        using var picked = table.index_select(0, t.to_type(int64));
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = t.shape[0];
        return picked.to_type(like.dtype).reshape(shape);
    }

    private static double[] Sqrt(double[] values) => values.Select(v => Math.Sqrt(v)).ToArray();
}
