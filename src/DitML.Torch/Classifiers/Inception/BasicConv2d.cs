using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Classifiers.Inception;

/// <summary>Inception's unit: convolution without bias, batch norm (eps 0.001, as the TF-converted weights), ReLU.</summary>
public sealed class BasicConv2d : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names: conv, bn
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;
#pragma warning restore IDE1006
    private readonly (long H, long W) kernel, padding;
    private readonly long stride;

    /// <summary>Batch-norm epsilon of the TensorFlow-converted weights.</summary>
    public const double BatchNormEpsilon = 0.001;

    /// <summary>A (kh, kw) convolution with the given stride and (ph, pw) padding.</summary>
    public BasicConv2d(long inChannels, long outChannels, (long H, long W) kernel, long stride = 1, (long H, long W) padding = default)
        : base(nameof(BasicConv2d))
    {
        (this.kernel, this.stride, this.padding) = (kernel, stride, padding);
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: (stride, stride), padding: padding, bias: false);
        bn = nn.BatchNorm2d(outChannels, eps: BatchNormEpsilon);
        RegisterComponents();
    }

    /// <summary>A square k×k convolution.</summary>
    public BasicConv2d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0)
        : this(inChannels, outChannels, (kernel, kernel), stride, (padding, padding))
    {
    }

    /// <summary>(N, C_in, H, W) → (N, C_out, H', W').</summary>
    public override Tensor forward(Tensor x)
    {
        using var h = conv.forward(x);
        using var n = bn.forward(h);
        return nn.functional.relu(n);
    }

    /// <summary>The ONNX form of <see cref="forward"/> (batch norm folded into the convolution).</summary>
    internal string Emit(InceptionOnnxEmitter e, string x, string prefix) =>
        e.ConvBatchNormRelu(x, prefix, kernel, stride, padding, BatchNormEpsilon);
}
