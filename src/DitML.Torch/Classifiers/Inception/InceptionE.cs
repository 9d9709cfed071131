using static TorchSharp.torch;

namespace DitML.Classifiers.Inception;

/// <summary>
/// Mixed_7b/7c: expanded 3×3 branches. FID variant: Mixed_7b's pooling averages without the padded zeros, Mixed_7c's
/// pooling branch takes the maximum (a quirk of the TensorFlow graph the FID weights come from).
/// </summary>
public sealed class InceptionE : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly BasicConv2d branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b;
    private readonly BasicConv2d branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branch_pool;
#pragma warning restore IDE1006
    private readonly bool maxPool;

    /// <summary>Output channels: 320 + 768 + 768 + 192 = 2048.</summary>
    public InceptionE(long inChannels, bool maxPool) : base(nameof(InceptionE))
    {
        this.maxPool = maxPool;
        branch1x1 = new BasicConv2d(inChannels, 320, 1);
        branch3x3_1 = new BasicConv2d(inChannels, 384, 1);
        branch3x3_2a = new BasicConv2d(384, 384, (1, 3), padding: (0, 1));
        branch3x3_2b = new BasicConv2d(384, 384, (3, 1), padding: (1, 0));
        branch3x3dbl_1 = new BasicConv2d(inChannels, 448, 1);
        branch3x3dbl_2 = new BasicConv2d(448, 384, 3, padding: 1);
        branch3x3dbl_3a = new BasicConv2d(384, 384, (1, 3), padding: (0, 1));
        branch3x3dbl_3b = new BasicConv2d(384, 384, (3, 1), padding: (1, 0));
        branch_pool = new BasicConv2d(inChannels, 192, 1);
        RegisterComponents();
    }

    /// <summary>(N, C, H, W) → (N, 2048, H, W).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b1 = branch1x1.forward(x);
        var b3 = branch3x3_1.forward(x);
        b3 = cat([branch3x3_2a.forward(b3), branch3x3_2b.forward(b3)], 1);
        var bd = branch3x3dbl_2.forward(branch3x3dbl_1.forward(x));
        bd = cat([branch3x3dbl_3a.forward(bd), branch3x3dbl_3b.forward(bd)], 1);
        var bp = branch_pool.forward(maxPool ? InceptionPooling.Max(x) : InceptionPooling.Average(x));
        return cat([b1, b3, bd, bp], 1).MoveToOuterDisposeScope();
    }

    /// <summary>The ONNX form of <see cref="forward"/>.</summary>
    internal string Emit(InceptionOnnxEmitter e, string x, string p)
    {
        var b3 = branch3x3_1.Emit(e, x, p + "." + nameof(branch3x3_1));
        var bd = branch3x3dbl_2.Emit(e, branch3x3dbl_1.Emit(e, x, p + "." + nameof(branch3x3dbl_1)), p + "." + nameof(branch3x3dbl_2));
        return e.Concat(
            branch1x1.Emit(e, x, p + "." + nameof(branch1x1)),
            e.Concat(branch3x3_2a.Emit(e, b3, p + "." + nameof(branch3x3_2a)), branch3x3_2b.Emit(e, b3, p + "." + nameof(branch3x3_2b))),
            e.Concat(branch3x3dbl_3a.Emit(e, bd, p + "." + nameof(branch3x3dbl_3a)), branch3x3dbl_3b.Emit(e, bd, p + "." + nameof(branch3x3dbl_3b))),
            branch_pool.Emit(e, maxPool ? e.MaxPool(x) : e.AveragePool(x), p + "." + nameof(branch_pool)));
    }
}
