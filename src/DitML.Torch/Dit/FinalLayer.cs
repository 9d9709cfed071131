using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Precision;

namespace DitML.Dit;

/// <summary>
/// The output head. Adaptive (adaLN designs): SiLU → Linear(D, 2D) on c gives shift, scale (shift first);
/// LN (no affine, 1e-6) → modulate → Linear(D, p·p·C_out). Plain (cross-attention, in-context): affine LN → Linear.
/// </summary>
public sealed class FinalLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm_final;
    private readonly Linear linear;
#pragma warning disable IDE1006 // PyTorch state_dict name: final_layer.adaLN_modulation.1
    private readonly Sequential? adaLN_modulation;
#pragma warning restore IDE1006

    /// <summary>Creates the head for width D, patch p and <paramref name="outChannels"/> channels.</summary>
    public FinalLayer(int hiddenSize, int patchSize, int outChannels, bool adaptive) : base(nameof(FinalLayer))
    {
        norm_final = nn.LayerNorm(hiddenSize, eps: 1e-6, elementwise_affine: !adaptive);
        linear = nn.Linear(hiddenSize, patchSize * patchSize * outChannels);
        if (adaptive) adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hiddenSize, 2 * hiddenSize));
        RegisterComponents();
    }

    /// <summary>The output Linear (zero-initialized).</summary>
    internal Linear Output => linear;

    /// <summary>The modulation Linear (zero-initialized), or null for the plain head.</summary>
    internal Linear? Modulation => adaLN_modulation == null ? null : (Linear)adaLN_modulation[1];

    /// <summary>x (N, T, D), c (N, D) → (N, T, p·p·C_out).</summary>
    public override Tensor forward(Tensor x, Tensor c)
    {
        using var scope = NewDisposeScope();
        var h = norm_final.forward(x);
        if (adaLN_modulation != null)
        {
            var m = adaLN_modulation.forward(c).chunk(2, dim: 1);
            h = AttentionMath.Modulate(h, m[0], m[1]);
        }
        return MixedPrecision.Linear(linear, h).MoveToOuterDisposeScope();
    }
}
