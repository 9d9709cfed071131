using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>
/// The VAE's single-head spatial self-attention with a residual (diffusers' Attention as built for the VAE mid-block):
/// group_norm, to_q / to_k / to_v Linear(C, C) over the H·W positions, scale C^−½, to_out.0 Linear(C, C), + x.
/// Older files name the projections query / key / value / proj_attn; <see cref="VaeCheckpoint"/> renames them.
/// </summary>
public sealed class VaeAttention : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // diffusers state_dict names
    private readonly VaeGroupNorm group_norm;
    private readonly Linear to_q;
    private readonly Linear to_k;
    private readonly Linear to_v;
    private readonly ModuleList<Linear> to_out;
#pragma warning restore IDE1006
    private readonly double scale;

    /// <summary>Creates attention over <paramref name="channels"/> channels.</summary>
    public VaeAttention(int channels, int groups, double eps) : base(nameof(VaeAttention))
    {
        group_norm = VaeLayers.GroupNorm(groups, channels, eps);
        to_q = nn.Linear(channels, channels);
        to_k = nn.Linear(channels, channels);
        to_v = nn.Linear(channels, channels);
        to_out = new ModuleList<Linear>(nn.Linear(channels, channels));   // diffusers' [Linear, Dropout]: only 0 has weights
        scale = 1 / Math.Sqrt(channels);
        RegisterComponents();
    }

    /// <summary>(N, C, H, W) → (N, C, H, W).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var tokens = group_norm.forward(x).reshape(n, c, h * w).transpose(1, 2);     // (N, L, C)
        var q = to_q.forward(tokens);
        var k = to_k.forward(tokens);
        var v = to_v.forward(tokens);
        using var s = scale.ToScalar();                                        // explicit: see DiagonalGaussian
        var weights = softmax(matmul(q, k.transpose(1, 2)).mul(s), dim: -1);      // (N, L, L)
        var o = to_out[0].forward(matmul(weights, v));                               // (N, L, C)
        return (x + o.transpose(1, 2).reshape(n, c, h, w)).MoveToOuterDisposeScope();
    }
}
