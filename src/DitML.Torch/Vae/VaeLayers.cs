using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Torch.Vae;

/// <summary>Layer factories shared by the VAE's modules.</summary>
internal static class VaeLayers
{
    /// <summary>
    /// A GroupNorm with PyTorch's initialization (scale 1, shift 0). TorchSharp 0.107 leaves GroupNorm's affine
    /// parameters uninitialized (they can hold NaN), so they are set here.
    /// </summary>
    public static GroupNorm GroupNorm(int groups, int channels, double eps)
    {
        var norm = nn.GroupNorm(groups, channels, eps);
        using var _ = no_grad();
        norm.weight!.fill_(1);
        norm.bias!.zero_();
        return norm;
    }
}
