using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.DiffiT;

/// <summary>Latent DiffiT's head: LayerNorm (no affine, eps 1e-6) → SiLU → Linear(D, p·p·C_out). No adaLN.</summary>
public sealed class DiffiTFinalLayer : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm_final;
    private readonly Linear linear;

    /// <summary>Creates the head for width D, patch p and <paramref name="outChannels"/> channels.</summary>
    public DiffiTFinalLayer(int hiddenSize, int patchSize, int outChannels) : base(nameof(DiffiTFinalLayer))
    {
        norm_final = nn.LayerNorm(hiddenSize, eps: 1e-6, elementwise_affine: false);
        linear = nn.Linear(hiddenSize, patchSize * patchSize * outChannels);
        RegisterComponents();
    }

    /// <summary>The output Linear (zero-initialized, so a new model outputs exactly 0).</summary>
    internal Linear Output => linear;

    /// <summary>(N, T, D) → (N, T, p·p·C_out).</summary>
    public override Tensor forward(Tensor x)
    {
        using var h = norm_final.forward(x);
        using var a = nn.functional.silu(h);
        return linear.forward(a);
    }
}
