using static TorchSharp.torch;

namespace DitML.Classifiers.Inception;

/// <summary>Mixed_6a: grid reduction 35 → 17 (stride-2 3×3, double 3×3, max pool).</summary>
public sealed class InceptionB : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly BasicConv2d branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3;
#pragma warning restore IDE1006

    /// <summary>Output channels: 384 + 96 + <paramref name="inChannels"/>.</summary>
    public InceptionB(long inChannels) : base(nameof(InceptionB))
    {
        branch3x3 = new BasicConv2d(inChannels, 384, 3, stride: 2);
        branch3x3dbl_1 = new BasicConv2d(inChannels, 64, 1);
        branch3x3dbl_2 = new BasicConv2d(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new BasicConv2d(96, 96, 3, stride: 2);
        RegisterComponents();
    }

    /// <summary>(N, C, H, W) → (N, 480 + C, (H − 3)/2 + 1, …).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b3 = branch3x3.forward(x);
        var bd = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        return cat([b3, bd, InceptionPooling.Reduce(x)], 1).MoveToOuterDisposeScope();
    }

    /// <summary>The ONNX form of <see cref="forward"/>.</summary>
    internal string Emit(InceptionOnnxEmitter e, string x, string p) => e.Concat(
        branch3x3.Emit(e, x, p + "." + nameof(branch3x3)),
        branch3x3dbl_3.Emit(e, branch3x3dbl_2.Emit(e, branch3x3dbl_1.Emit(e, x, p + "." + nameof(branch3x3dbl_1)), p + "." + nameof(branch3x3dbl_2)), p + "." + nameof(branch3x3dbl_3)),
        e.Reduce(x));
}
