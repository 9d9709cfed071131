using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Training;

/// <summary>
/// An exponential moving average of a model's weights, kept in a second model of the same shape (as the official DiT
/// trainer does): it starts as a copy and after every step ema ← decay·ema + (1 − decay)·model, for every parameter
/// (the fixed position embedding included: it never changes, so its average is itself).
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly (Tensor Ema, Tensor Model)[] pairs;

    /// <summary>Ties <paramref name="ema"/> to <paramref name="model"/> and copies the model's weights into it.</summary>
    /// <exception cref="ArgumentException">The two modules differ in names or shapes.</exception>
    public ExponentialMovingAverage(nn.Module model, nn.Module ema, double decay = 0.9999)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ema);
        if (decay is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must be in [0, 1]");
        Decay = decay;
        var target = ema.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var source = model.named_parameters().ToList();
        if (source.Count != target.Count || source.Any(p => !target.TryGetValue(p.name, out var t) || !t.shape.SequenceEqual(p.parameter.shape)))
            throw new ArgumentException("the EMA model must have the same parameter names and shapes as the model", nameof(ema));
        pairs = source.Select(p => (target[p.name], (Tensor)p.parameter)).ToArray();
        foreach (var (e, _) in pairs) e.requires_grad_(false);
        CopyFromModel();
    }

    /// <summary>The decay per update.</summary>
    public double Decay { get; }

    /// <summary>ema ← decay·ema + (1 − decay)·model.</summary>
    public void Update()
    {
        using var _ = no_grad();
        // Explicit scalars alive for the whole loop (an implicit Scalar can be finalized while libtorch reads it).
        using var decay = Decay.ToScalar();
        using var rest = (1 - Decay).ToScalar();
        foreach (var (e, m) in pairs)
            e.mul_(decay).add_(m, alpha: rest);
    }

    /// <summary>ema ← model (the starting state).</summary>
    public void CopyFromModel()
    {
        using var _ = no_grad();
        foreach (var (e, m) in pairs) e.copy_(m);
    }
}
