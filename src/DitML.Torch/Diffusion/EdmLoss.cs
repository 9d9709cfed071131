using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Diffusion;

/// <summary>
/// EDM's training loss (Karras et al. 2022, Eq. 8 and Table 1): ln σ ~ N(P_mean, P_std²) per sample, n ~ N(0, σ²I),
/// L = E[λ(σ)·‖D(x₀ + n; σ, y) − x₀‖²] with λ(σ) = (σ² + σ_d²)/(σ·σ_d)². DitML averages over elements (EDM sums over
/// pixels and averages over the batch: a constant factor, which Adam's update ignores up to its ε).
/// </summary>
public static class EdmLoss
{
    /// <summary>The loss of one batch x₀ (N, C, H, W) with labels y (N), drawing σ and n from torch's generator.</summary>
    public static Tensor Compute(EdmDenoiser denoiser, Tensor x0, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(x0);
        var edm = denoiser.Settings;
        using var scope = NewDisposeScope();
        // Explicit Scalars: an implicit one is left to the finalizer, which can free it while libtorch still reads it.
        using var std = edm.PStd.ToScalar();
        using var mean = edm.PMean.ToScalar();
        var sigma = randn(x0.shape[0], device: x0.device).mul_(std).add_(mean).exp_();        // (N), log-normal
        var noise = randn_like(x0);
        return Compute(denoiser, x0, y, sigma, noise).MoveToOuterDisposeScope();
    }

    /// <summary>The loss with given σ (N) and standard normal <paramref name="unitNoise"/> (N, C, H, W): n = σ·unitNoise.</summary>
    public static Tensor Compute(EdmDenoiser denoiser, Tensor x0, Tensor y, Tensor sigma, Tensor unitNoise)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        double sd = denoiser.Settings.SigmaData;
        using var scope = NewDisposeScope();
        var s = sigma.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        var weight = tensor(s.Select(v => (float)EdmPreconditioning.LossWeight(v, sd)).ToArray(), [s.Length, 1, 1, 1], device: x0.device);
        var column = sigma.to_type(ScalarType.Float32).view(-1, 1, 1, 1);
        var denoised = denoiser.forward(x0 + unitNoise * column, sigma, y);   // (N, C, H, W)
        return (weight * (denoised - x0).square()).mean().MoveToOuterDisposeScope();
    }
}
