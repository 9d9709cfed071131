using static TorchSharp.torch;

namespace DitML.Classifiers.Inception;

/// <summary>
/// Mixed_5b–5d: 1×1, 5×5, double 3×3 and pooled branches. FID variant: the pooling branch averages without the padded
/// zeros (TensorFlow's behaviour, which the FID weights were trained with).
/// </summary>
public sealed class InceptionA : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly BasicConv2d branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branch_pool;
#pragma warning restore IDE1006

    /// <summary>Output channels: 64 + 64 + 96 + <paramref name="poolFeatures"/>.</summary>
    public InceptionA(long inChannels, long poolFeatures) : base(nameof(InceptionA))
    {
        branch1x1 = new BasicConv2d(inChannels, 64, 1);
        branch5x5_1 = new BasicConv2d(inChannels, 48, 1);
        branch5x5_2 = new BasicConv2d(48, 64, 5, padding: 2);
        branch3x3dbl_1 = new BasicConv2d(inChannels, 64, 1);
        branch3x3dbl_2 = new BasicConv2d(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new BasicConv2d(96, 96, 3, padding: 1);
        branch_pool = new BasicConv2d(inChannels, poolFeatures, 1);
        RegisterComponents();
    }

    /// <summary>(N, C, H, W) → (N, 224 + pool features, H, W).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b1 = branch1x1.forward(x);
        var b5 = branch5x5_2.forward(branch5x5_1.forward(x));
        var b3 = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        var bp = branch_pool.forward(InceptionPooling.Average(x));
        return cat([b1, b5, b3, bp], 1).MoveToOuterDisposeScope();
    }

    /// <summary>The ONNX form of <see cref="forward"/>.</summary>
    internal string Emit(InceptionOnnxEmitter e, string x, string p) => e.Concat(
        branch1x1.Emit(e, x, p + "." + nameof(branch1x1)),
        branch5x5_2.Emit(e, branch5x5_1.Emit(e, x, p + "." + nameof(branch5x5_1)), p + "." + nameof(branch5x5_2)),
        branch3x3dbl_3.Emit(e, branch3x3dbl_2.Emit(e, branch3x3dbl_1.Emit(e, x, p + "." + nameof(branch3x3dbl_1)), p + "." + nameof(branch3x3dbl_2)), p + "." + nameof(branch3x3dbl_3)),
        branch_pool.Emit(e, e.AveragePool(x), p + "." + nameof(branch_pool)));
}
