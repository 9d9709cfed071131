using static TorchSharp.torch;

namespace DitML.Classifiers.Inception;

/// <summary>The pooling of the Inception branches, in the FID variant's form.</summary>
internal static class InceptionPooling
{
    /// <summary>3×3 stride-1 average pooling that ignores the padding (count_include_pad false, as TensorFlow).</summary>
    public static Tensor Average(Tensor x) => nn.functional.avg_pool2d(x, [3, 3], [1, 1], [1, 1], ceil_mode: false, count_include_pad: false);

    /// <summary>3×3 stride-1 max pooling with padding 1 (Mixed_7c's pooling branch in the FID weights).</summary>
    public static Tensor Max(Tensor x) => nn.functional.max_pool2d(x, [3, 3], [1, 1], [1, 1]);

    /// <summary>3×3 stride-2 max pooling (the reduction blocks).</summary>
    public static Tensor Reduce(Tensor x) => nn.functional.max_pool2d(x, [3, 3], [2, 2]);
}
