using DitML.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Classifiers.Inception;

/// <summary>
/// InceptionV3 in the variant FID is defined with (pytorch-fid's port of the TensorFlow graph): state_dict names of
/// <c>pt_inception-2015-12-05-6726825d.pth</c>, patched pooling in Mixed_5b–5d, 6b–6e, 7b (averages without padding)
/// and 7c (max), a 1008-way head. <see cref="forward"/> resizes to 299×299 bilinearly and returns the 2048-d pool3
/// features (FID, precision/recall) and the logits (Inception Score).
/// </summary>
public sealed class FidInceptionV3 : nn.Module<Tensor, (Tensor Pool3, Tensor Logits)>
{
    /// <summary>File name of the FID weights released with pytorch-fid.</summary>
    public const string WeightsFileName = "pt_inception-2015-12-05-6726825d.pth";

    /// <summary>Where the weights are published (DitML never downloads them).</summary>
    public const string WeightsUrl = "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/" + WeightsFileName;

    /// <summary>Width of the pool3 features.</summary>
    public const int FeatureSize = 2048;

    /// <summary>Classes of the head (1008 in the TensorFlow graph).</summary>
    public const int Classes = 1008;

    /// <summary>Side the images are resized to.</summary>
    public const int InputSize = 299;

#pragma warning disable IDE1006, SA1306 // state_dict names of the released weights
    private readonly BasicConv2d Conv2d_1a_3x3, Conv2d_2a_3x3, Conv2d_2b_3x3, Conv2d_3b_1x1, Conv2d_4a_3x3;
    private readonly InceptionA Mixed_5b, Mixed_5c, Mixed_5d;
    private readonly InceptionB Mixed_6a;
    private readonly InceptionC Mixed_6b, Mixed_6c, Mixed_6d, Mixed_6e;
    private readonly InceptionD Mixed_7a;
    private readonly InceptionE Mixed_7b, Mixed_7c;
    private readonly Linear fc;
#pragma warning restore IDE1006, SA1306

    /// <summary>An untrained network (load the FID weights with <see cref="Load"/>).</summary>
    public FidInceptionV3() : base(nameof(FidInceptionV3))
    {
        Conv2d_1a_3x3 = new BasicConv2d(3, 32, 3, stride: 2);
        Conv2d_2a_3x3 = new BasicConv2d(32, 32, 3);
        Conv2d_2b_3x3 = new BasicConv2d(32, 64, 3, padding: 1);
        Conv2d_3b_1x1 = new BasicConv2d(64, 80, 1);
        Conv2d_4a_3x3 = new BasicConv2d(80, 192, 3);
        Mixed_5b = new InceptionA(192, 32);
        Mixed_5c = new InceptionA(256, 64);
        Mixed_5d = new InceptionA(288, 64);
        Mixed_6a = new InceptionB(288);
        Mixed_6b = new InceptionC(768, 128);
        Mixed_6c = new InceptionC(768, 160);
        Mixed_6d = new InceptionC(768, 160);
        Mixed_6e = new InceptionC(768, 192);
        Mixed_7a = new InceptionD(768);
        Mixed_7b = new InceptionE(1280, maxPool: false);
        Mixed_7c = new InceptionE(2048, maxPool: true);
        fc = nn.Linear(FeatureSize, Classes);
        RegisterComponents();
        eval();
    }

    /// <summary>
    /// Loads the FID weights (a torch.save'd state_dict, as released, or the same tensors as safetensors).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing: the message names the file and where to get it.</exception>
    /// <exception cref="InvalidDataException">The file does not fit: every missing/extra key and shape mismatch.</exception>
    public static FidInceptionV3 Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"FID Inception weights not found: {path}. Download {WeightsFileName} from {WeightsUrl} (pytorch-fid's release) and pass its path; DitML does not download files.", path);
        var contents = CheckpointFile.Open(path);
        var model = new FidInceptionV3();
        try
        {
            // BatchNorm's step counters are not weights; files converted from TensorFlow may not have them.
            var counters = model.state_dict().Keys.Concat(contents.Tensors.Keys).Where(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToHashSet();
            ModelStateDict.Load(model, contents.Tensors, path, counters);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>
    /// Images (N, 3, H, W) in [−1, 1] (DitML's pixel range) → pool3 features (N, 2048) and logits (N, 1008). Inputs in
    /// [0, 1] (pytorch-fid's convention) go through <see cref="FromUnitRange"/> first.
    /// </summary>
    public override (Tensor Pool3, Tensor Logits) forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = images.shape[2] == InputSize && images.shape[3] == InputSize
            ? images.alias()
            : nn.functional.interpolate(images, [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: false);  // (N, 3, 299, 299)
        x = Conv2d_2b_3x3.forward(Conv2d_2a_3x3.forward(Conv2d_1a_3x3.forward(x)));                                             // (N, 64, 147, 147)
        x = InceptionPooling.Reduce(x);                                                                                        // (N, 64, 73, 73)
        x = Conv2d_4a_3x3.forward(Conv2d_3b_1x1.forward(x));                                                                   // (N, 192, 71, 71)
        x = InceptionPooling.Reduce(x);                                                                                        // (N, 192, 35, 35)
        x = Mixed_5d.forward(Mixed_5c.forward(Mixed_5b.forward(x)));                                                           // (N, 288, 35, 35)
        x = Mixed_6a.forward(x);                                                                                               // (N, 768, 17, 17)
        x = Mixed_6e.forward(Mixed_6d.forward(Mixed_6c.forward(Mixed_6b.forward(x))));                                         // (N, 768, 17, 17)
        x = Mixed_7c.forward(Mixed_7b.forward(Mixed_7a.forward(x)));                                                           // (N, 2048, 8, 8)
        var pool3 = nn.functional.adaptive_avg_pool2d(x, [1, 1]).flatten(1);                                                   // (N, 2048)
        var logits = fc.forward(pool3);                                                                                        // (N, 1008)
        return (pool3.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }

    /// <summary>The ONNX form of <see cref="forward"/> after the resize: 3×299×299 images → pool3 and logits.</summary>
    internal (string Pool3, string Logits) Emit(InceptionOnnxEmitter e, string x)
    {
        x = Conv2d_2b_3x3.Emit(e, Conv2d_2a_3x3.Emit(e, Conv2d_1a_3x3.Emit(e, x, nameof(Conv2d_1a_3x3)), nameof(Conv2d_2a_3x3)), nameof(Conv2d_2b_3x3));
        x = e.Reduce(x);
        x = Conv2d_4a_3x3.Emit(e, Conv2d_3b_1x1.Emit(e, x, nameof(Conv2d_3b_1x1)), nameof(Conv2d_4a_3x3));
        x = e.Reduce(x);
        foreach (var (block, name) in new[] { (Mixed_5b, nameof(Mixed_5b)), (Mixed_5c, nameof(Mixed_5c)), (Mixed_5d, nameof(Mixed_5d)) }) x = block.Emit(e, x, name);
        x = Mixed_6a.Emit(e, x, nameof(Mixed_6a));
        foreach (var (block, name) in new[] { (Mixed_6b, nameof(Mixed_6b)), (Mixed_6c, nameof(Mixed_6c)), (Mixed_6d, nameof(Mixed_6d)), (Mixed_6e, nameof(Mixed_6e)) }) x = block.Emit(e, x, name);
        x = Mixed_7a.Emit(e, x, nameof(Mixed_7a));
        x = Mixed_7c.Emit(e, Mixed_7b.Emit(e, x, nameof(Mixed_7b)), nameof(Mixed_7c));
        var g = e.Graph;
        var pool3 = g.Node("Flatten", [g.Node("GlobalAveragePool", [x])], new Dictionary<string, object> { ["axis"] = 1L });  // (N, 2048)
        var logits = g.Node("Gemm", [pool3, e.Weight(nameof(fc) + ".weight"), e.Weight(nameof(fc) + ".bias")],
            new Dictionary<string, object> { ["transB"] = 1L });                                                                   // (N, 1008)
        return (pool3, logits);
    }

    /// <summary>Maps pytorch-fid's [0, 1] inputs to the network's [−1, 1] range (2x − 1).</summary>
    public static Tensor FromUnitRange(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var two = 2.0.ToScalar();
        using var one = 1.0.ToScalar();
        return images.mul(two).sub(one);
    }

    /// <summary>Pool3 features and class probabilities of N images (N×3×H×W floats in [−1, 1]), batch by batch, without gradients.</summary>
    public (float[] Features, float[] Probabilities) Run(ReadOnlySpan<float> pixels, int height, int width, int batch = 32)
    {
        int plane = 3 * height * width, n = pixels.Length / plane;
        var features = new float[(long)n * FeatureSize];
        var probabilities = new float[(long)n * Classes];
        using var noGrad = no_grad();
        for (int start = 0; start < n; start += batch)
        {
            using var scope = NewDisposeScope();
            int m = Math.Min(batch, n - start);
            var x = tensor(pixels.Slice(start * plane, m * plane).ToArray(), [m, 3, height, width]);
            var (pool3, logits) = forward(x);
            pool3.data<float>().CopyTo(features.AsSpan(start * FeatureSize, m * FeatureSize));
            logits.softmax(1).data<float>().CopyTo(probabilities.AsSpan(start * Classes, m * Classes));
        }
        return (features, probabilities);
    }
}
