using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Models;

namespace DitML.Dit;

/// <summary>
/// Embeds diffusion timesteps: 256 sinusoidal features [cos(t·f), sin(t·f)] (cos first), then Linear → SiLU → Linear.
/// t may be fractional: fast samplers evaluate between the training steps.
/// </summary>
public sealed class TimestepEmbedder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential mlp;
    private readonly float[] frequencies = SinCosEmbedding.TimestepFrequencies(DiTComplexity.TimestepFrequencySize);

    /// <summary>Creates the embedder producing D-wide vectors.</summary>
    public TimestepEmbedder(int hiddenSize) : base(nameof(TimestepEmbedder))
    {
        mlp = nn.Sequential(
            nn.Linear(DiTComplexity.TimestepFrequencySize, hiddenSize),
            nn.SiLU(),
            nn.Linear(hiddenSize, hiddenSize));
        RegisterComponents();
    }

    /// <summary>The first and last Linear of the MLP (initialized normal(0, 0.02)).</summary>
    internal (Linear First, Linear Last) Layers => ((Linear)mlp[0], (Linear)mlp[2]);

    /// <summary>(N) steps → (N, D).</summary>
    public override Tensor forward(Tensor t)
    {
        using var scope = NewDisposeScope();
        var freqs = tensor(frequencies, device: t.device);                     // (128)
        var args = t.to_type(ScalarType.Float32).unsqueeze(1) * freqs.unsqueeze(0); // (N, 128)
        var features = cat([cos(args), sin(args)], dim: -1);                   // (N, 256)
        return mlp.forward(features).MoveToOuterDisposeScope();
    }
}
