using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>
/// GroupNorm with PyTorch's semantics and initialization (scale 1, shift 0; parameters <c>weight</c>, <c>bias</c>).
/// DitML's own rather than TorchSharp 0.107's nn.GroupNorm, which leaves its affine parameters uninitialized.
/// </summary>
public sealed class VaeGroupNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly int groups;
    private readonly double eps;

    /// <summary>Normalizes <paramref name="channels"/> channels in <paramref name="groups"/> groups.</summary>
    public VaeGroupNorm(int groups, int channels, double eps) : base(nameof(VaeGroupNorm))
    {
        this.groups = groups;
        this.eps = eps;
        weight = new Parameter(ones(channels));
        bias = new Parameter(zeros(channels));
        RegisterComponents();
    }

    /// <summary>(N, C, …) → (N, C, …).</summary>
    public override Tensor forward(Tensor x) => nn.functional.group_norm(x, groups, weight, bias, eps);
}

/// <summary>Layer factories shared by the VAE's modules.</summary>
internal static class VaeLayers
{
    /// <summary>A GroupNorm initialized as PyTorch's.</summary>
    public static VaeGroupNorm GroupNorm(int groups, int channels, double eps) => new(groups, channels, eps);
}
