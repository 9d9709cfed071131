using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Precision;

namespace DitML.Dit;

/// <summary>Cuts the input into p×p patches and projects each to a D-wide token (a strided convolution).</summary>
public sealed class PatchEmbed : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // PyTorch state_dict name: x_embedder.proj
    private readonly Conv2d proj;
#pragma warning restore IDE1006
    private readonly int patchSize;

    /// <summary>Creates the embedding for <paramref name="inChannels"/> channels, patch size p and width D.</summary>
    public PatchEmbed(int inChannels, int patchSize, int hiddenSize) : base(nameof(PatchEmbed))
    {
        this.patchSize = patchSize;
        proj = nn.Conv2d(inChannels, hiddenSize, kernel_size: patchSize, stride: patchSize, bias: true);
        RegisterComponents();
    }

    /// <summary>The convolution (its weight is initialized over its (D, C·p·p) view).</summary>
    internal Conv2d Projection => proj;

    /// <summary>(N, C, I, I) → (N, T, D), tokens row-major.</summary>
    public override Tensor forward(Tensor x)
    {
        using var y = MixedPrecision.PatchConv2d(proj, x, patchSize);      // (N, D, I/p, I/p)
        using var flat = y.flatten(2);      // (N, D, T)
        return flat.transpose(1, 2);        // (N, T, D)
    }
}
