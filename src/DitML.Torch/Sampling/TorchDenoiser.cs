using DitML.Models;
using static TorchSharp.torch;
using DitML.Dit;
using DitML.Precision;

namespace DitML.Sampling;

/// <summary>
/// A TorchSharp DiT or latent DiffiT as an <see cref="IDenoiser"/>, so the runtime's samplers can drive it (eval mode,
/// no grad), in float32 or, for users who sample without exporting, in bfloat16 compute (<see cref="MixedPrecision"/>;
/// the weights stay float32 and the output is float32; latent DiffiT's modules compute in float32 either way).
/// </summary>
public sealed class TorchDenoiser : IDenoiser
{
    private readonly IDiffusionTransformer model;
    private readonly Device device;

    /// <summary>
    /// Wraps any diffusion transformer (DiT, latent DiffiT), switched to eval mode, computing in <paramref name="precision"/>.
    /// </summary>
    public TorchDenoiser(IDiffusionTransformer model, ComputePrecision precision = ComputePrecision.Fp32)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        if (!Enum.IsDefined(precision)) throw new ArgumentOutOfRangeException(nameof(precision), precision, "unknown precision");
        Precision = precision;
        model.Module.eval();
        device = model.Module.parameters().First().device;
    }

    /// <summary>The compute precision of <see cref="Predict"/>.</summary>
    public ComputePrecision Precision { get; }

    /// <inheritdoc />
    public int Channels => model.InChannels;

    /// <inheritdoc />
    public int Height => model.InputSize;

    /// <inheritdoc />
    public int Width => model.InputSize;

    /// <inheritdoc />
    public bool LearnSigma => model.LearnSigma;

    /// <inheritdoc />
    public int NumClasses => model.NumClasses;

    /// <inheritdoc />
    public void Predict(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> y, Span<float> output)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var precision = MixedPrecision.Enter(Precision);
        long n = y.Length;
        var xt = tensor(x.ToArray(), [n, Channels, Height, Width], device: device);
        var tt = tensor(t.ToArray(), device: device);
        var yt = tensor(y.ToArray(), device: device);
        var o = model.forward(xt, tt, yt).cpu().contiguous();
        o.data<float>().CopyTo(output);
    }
}
