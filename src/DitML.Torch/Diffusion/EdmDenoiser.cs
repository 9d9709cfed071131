using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Diffusion;

/// <summary>
/// EDM's preconditioned denoiser around a network F (Karras et al. 2022, Eq. 7 and Table 1):
/// D(x; σ, y) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x, c_noise(σ), y), the coefficients from
/// <see cref="EdmPreconditioning"/> (computed per row in double precision, then applied in float32).
/// forward(x (N, C, H, W), σ (N), y (N) int64) → D (N, C, H, W). It owns no parameters of its own: its state_dict is the
/// network's under <c>net.</c>.
/// </summary>
public sealed class EdmDenoiser : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor, Tensor, Tensor> net;

    /// <summary>Wraps <paramref name="network"/> (forward(x, c_noise, y)) with EDM's preconditioning for data of std <see cref="EdmSettings.SigmaData"/>.</summary>
    public EdmDenoiser(nn.Module<Tensor, Tensor, Tensor, Tensor> network, EdmSettings? settings = null) : base(nameof(EdmDenoiser))
    {
        net = network ?? throw new ArgumentNullException(nameof(network));
        Settings = (settings ?? new EdmSettings()).Validate();
        RegisterComponents();
    }

    /// <summary>The EDM settings (σ_data).</summary>
    public EdmSettings Settings { get; }

    /// <summary>The wrapped network F.</summary>
    public nn.Module<Tensor, Tensor, Tensor, Tensor> Network => net;

    /// <summary>x (N, C, H, W), σ (N) &gt; 0, y (N) → D(x; σ, y) (N, C, H, W).</summary>
    public override Tensor forward(Tensor x, Tensor sigma, Tensor y)
    {
        if (sigma.dim() != 1 || sigma.shape[0] != x.shape[0])
            throw new ArgumentException($"σ must be ({x.shape[0]}), got ({string.Join(", ", sigma.shape)})", nameof(sigma));
        using var scope = NewDisposeScope();
        var (skip, output, input, noise) = Coefficients(sigma, x.device);
        var f = net.forward(x * input, noise, y);                             // (N, C, H, W)
        return (x * skip + f * output).MoveToOuterDisposeScope();
    }

    /// <summary>c_skip, c_out, c_in as (N, 1, 1, 1) and c_noise as (N), from σ (N).</summary>
    private (Tensor Skip, Tensor Out, Tensor In, Tensor Noise) Coefficients(Tensor sigma, Device device)
    {
        var s = sigma.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        double sd = Settings.SigmaData;
        Tensor Column(Func<double, double> f) =>
            tensor(s.Select(v => (float)f(v)).ToArray(), [s.Length, 1, 1, 1], device: device);
        if (s.Any(v => !(v > 0) || !double.IsFinite(v)))
            throw new ArgumentException($"σ must be positive and finite, got {string.Join(", ", s.Where(v => !(v > 0) || !double.IsFinite(v)).Take(3))}", nameof(sigma));
        return (Column(v => EdmPreconditioning.CSkip(v, sd)), Column(v => EdmPreconditioning.COut(v, sd)), Column(v => EdmPreconditioning.CIn(v, sd)),
            tensor(s.Select(v => (float)EdmPreconditioning.CNoise(v)).ToArray(), device: device));
    }
}
