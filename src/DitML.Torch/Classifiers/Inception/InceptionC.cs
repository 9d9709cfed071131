using static TorchSharp.torch;

namespace DitML.Classifiers.Inception;

/// <summary>Mixed_6b–6e: factorized 7×7 branches. FID variant: average pooling without the padded zeros.</summary>
public sealed class InceptionC : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly BasicConv2d branch1x1, branch7x7_1, branch7x7_2, branch7x7_3;
    private readonly BasicConv2d branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5, branch_pool;
#pragma warning restore IDE1006

    /// <summary>Output channels: 4 × 192; <paramref name="channels7x7"/> inside the 7×7 branches.</summary>
    public InceptionC(long inChannels, long channels7x7) : base(nameof(InceptionC))
    {
        long c7 = channels7x7;
        branch1x1 = new BasicConv2d(inChannels, 192, 1);
        branch7x7_1 = new BasicConv2d(inChannels, c7, 1);
        branch7x7_2 = new BasicConv2d(c7, c7, (1, 7), padding: (0, 3));
        branch7x7_3 = new BasicConv2d(c7, 192, (7, 1), padding: (3, 0));
        branch7x7dbl_1 = new BasicConv2d(inChannels, c7, 1);
        branch7x7dbl_2 = new BasicConv2d(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_3 = new BasicConv2d(c7, c7, (1, 7), padding: (0, 3));
        branch7x7dbl_4 = new BasicConv2d(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_5 = new BasicConv2d(c7, 192, (1, 7), padding: (0, 3));
        branch_pool = new BasicConv2d(inChannels, 192, 1);
        RegisterComponents();
    }

    /// <summary>(N, C, H, W) → (N, 768, H, W).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b1 = branch1x1.forward(x);
        var b7 = branch7x7_3.forward(branch7x7_2.forward(branch7x7_1.forward(x)));
        var bd = branch7x7dbl_5.forward(branch7x7dbl_4.forward(branch7x7dbl_3.forward(branch7x7dbl_2.forward(branch7x7dbl_1.forward(x)))));
        var bp = branch_pool.forward(InceptionPooling.Average(x));
        return cat([b1, b7, bd, bp], 1).MoveToOuterDisposeScope();
    }

    /// <summary>The ONNX form of <see cref="forward"/>.</summary>
    internal string Emit(InceptionOnnxEmitter e, string x, string p)
    {
        string b7 = x, bd = x;
        foreach (var (conv, name) in new[] { (branch7x7_1, nameof(branch7x7_1)), (branch7x7_2, nameof(branch7x7_2)), (branch7x7_3, nameof(branch7x7_3)) })
            b7 = conv.Emit(e, b7, p + "." + name);
        foreach (var (conv, name) in new[] { (branch7x7dbl_1, nameof(branch7x7dbl_1)), (branch7x7dbl_2, nameof(branch7x7dbl_2)), (branch7x7dbl_3, nameof(branch7x7dbl_3)), (branch7x7dbl_4, nameof(branch7x7dbl_4)), (branch7x7dbl_5, nameof(branch7x7dbl_5)) })
            bd = conv.Emit(e, bd, p + "." + name);
        return e.Concat(branch1x1.Emit(e, x, p + "." + nameof(branch1x1)), b7, bd, branch_pool.Emit(e, e.AveragePool(x), p + "." + nameof(branch_pool)));
    }
}
