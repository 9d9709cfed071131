using static TorchSharp.torch;

namespace DitML.Classifiers.Inception;

/// <summary>Mixed_7a: grid reduction 17 → 8.</summary>
public sealed class InceptionD : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly BasicConv2d branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4;
#pragma warning restore IDE1006

    /// <summary>Output channels: 320 + 192 + <paramref name="inChannels"/>.</summary>
    public InceptionD(long inChannels) : base(nameof(InceptionD))
    {
        branch3x3_1 = new BasicConv2d(inChannels, 192, 1);
        branch3x3_2 = new BasicConv2d(192, 320, 3, stride: 2);
        branch7x7x3_1 = new BasicConv2d(inChannels, 192, 1);
        branch7x7x3_2 = new BasicConv2d(192, 192, (1, 7), padding: (0, 3));
        branch7x7x3_3 = new BasicConv2d(192, 192, (7, 1), padding: (3, 0));
        branch7x7x3_4 = new BasicConv2d(192, 192, 3, stride: 2);
        RegisterComponents();
    }

    /// <summary>(N, C, H, W) → (N, 512 + C, (H − 3)/2 + 1, …).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b3 = branch3x3_2.forward(branch3x3_1.forward(x));
        var b7 = branch7x7x3_4.forward(branch7x7x3_3.forward(branch7x7x3_2.forward(branch7x7x3_1.forward(x))));
        return cat([b3, b7, InceptionPooling.Reduce(x)], 1).MoveToOuterDisposeScope();
    }

    /// <summary>The ONNX form of <see cref="forward"/>.</summary>
    internal string Emit(InceptionOnnxEmitter e, string x, string p)
    {
        var b3 = branch3x3_2.Emit(e, branch3x3_1.Emit(e, x, p + "." + nameof(branch3x3_1)), p + "." + nameof(branch3x3_2));
        string b7 = x;
        foreach (var (conv, name) in new[] { (branch7x7x3_1, nameof(branch7x7x3_1)), (branch7x7x3_2, nameof(branch7x7x3_2)), (branch7x7x3_3, nameof(branch7x7x3_3)), (branch7x7x3_4, nameof(branch7x7x3_4)) })
            b7 = conv.Emit(e, b7, p + "." + name);
        return e.Concat(b3, b7, e.Reduce(x));
    }
}
