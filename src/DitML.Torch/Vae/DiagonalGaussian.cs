using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>
/// The encoder's posterior: a Gaussian with diagonal covariance, mean and log-variance (N, C, h, w), the log-variance
/// clamped to [−30, 20] as diffusers does. Owns its tensors.
/// </summary>
public sealed class DiagonalGaussian : IDisposable
{
    /// <summary>Lower clamp of the log-variance.</summary>
    public const double MinLogVar = -30;

    /// <summary>Upper clamp of the log-variance.</summary>
    public const double MaxLogVar = 20;

    /// <summary>Splits encoder moments (N, 2C, h, w) into mean (first C channels) and clamped log-variance.</summary>
    public DiagonalGaussian(Tensor moments)
    {
        ArgumentNullException.ThrowIfNull(moments);
        long c = moments.shape[1] / 2;
        Mean = moments.narrow(1, 0, c);
        using var logVar = moments.narrow(1, c, c);
        // Explicit scalars: an implicitly converted Scalar can be finalized while libtorch still reads it.
        using var min = MinLogVar.ToScalar();
        using var max = MaxLogVar.ToScalar();
        LogVar = logVar.clamp(min, max);
    }

    /// <summary>Mean (N, C, h, w).</summary>
    public Tensor Mean { get; }

    /// <summary>Log-variance (N, C, h, w), clamped to [−30, 20].</summary>
    public Tensor LogVar { get; }

    /// <summary>The mode (the mean itself, a new handle).</summary>
    public Tensor Mode() => Mean.alias();

    /// <summary>mean + exp(½·logvar)·ε with ε ~ N(0, I) drawn from <paramref name="generator"/> (the global one when null).</summary>
    public Tensor Sample(Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var eps = randn(Mean.shape, Mean.dtype, Mean.device, generator: generator);
        using var half = 0.5.ToScalar();
        return (Mean + exp(LogVar.mul(half)) * eps).MoveToOuterDisposeScope();
    }

    /// <summary>KL(q ‖ N(0, I)) per sample: ½·Σ(mean² + exp(logvar) − 1 − logvar) over C, h, w → (N).</summary>
    public Tensor KullbackLeibler()
    {
        using var scope = NewDisposeScope();
        using var one = 1.0.ToScalar();
        using var half = 0.5.ToScalar();
        var terms = Mean.square() + LogVar.exp().sub(one) - LogVar;
        return terms.sum([1, 2, 3]).mul(half).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
    }
}
