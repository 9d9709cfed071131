using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Native;

/// <summary>
/// Runs a 2-D convolution so that its input gradient is right under libtorch 2.10's oneDNN. On x86-64 that oneDNN
/// computes wrong input gradients (backward-by-data) for NCHW convolutions whose output channel count is not a multiple
/// of its channel block (8 with AVX2, 16 with AVX-512): errors up to the gradient's own scale, sometimes NaN,
/// in every call or in a share of calls depending on the shape. Measured on this project's CI machine (an AMD EPYC VM)
/// for 3×3, stride-1, padding-1 convolutions of batch ≥ 2 against float64 (tests/DitML.Torch.Tests/Native); ATen's own
/// kernels and oneDNN's channels-last kernels are right in every measured case. Such layers are a VAE's last convolutions
/// (3 or 1 output channels, 2·latent for the encoder), which made VAE training diverge.
/// </summary>
/// <remarks>
/// The cure is a layout: when the input will need a gradient and the output channels are not a multiple of 16, the input
/// is copied to channels-last, which selects oneDNN's NHWC kernels, and the output is made NCHW again. That doubles the
/// time of such a layer; turning oneDNN off instead makes it ~18× slower and a whole VAE step ~5× (README, measured by
/// <c>tests/DitML.Benchmarks -- conv</c>).
/// </remarks>
public static class OneDnnConvolution
{
    /// <summary>The output-channel multiple that oneDNN handles right in NCHW (its AVX-512 block; a multiple of AVX2's 8).</summary>
    public const int SafeChannelMultiple = 16;

    /// <summary>
    /// <paramref name="conv"/>.forward(<paramref name="x"/>) for x (N, C, H, W), routed through channels-last when the
    /// input gradient would otherwise come from the faulty kernel. Same values and gradients as the plain call, in NCHW.
    /// </summary>
    public static Tensor Forward(Conv2d conv, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(x);
        if (!NeedsChannelsLast(conv.weight.shape[0], x)) return conv.forward(x);
        using var channelsLast = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);   // (N, C, H, W), NHWC strides
        using var y = conv.forward(channelsLast);
        return y.contiguous();
    }

    /// <summary>Whether a convolution to <paramref name="outChannels"/> channels of <paramref name="x"/> takes the channels-last route.</summary>
    public static bool NeedsChannelsLast(long outChannels, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return outChannels % SafeChannelMultiple != 0 && x.dim() == 4 && x.requires_grad && is_grad_enabled();
    }
}
