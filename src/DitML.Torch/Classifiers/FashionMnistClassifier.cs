using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Classifiers;

/// <summary>
/// The project's Fashion-MNIST classifier, DitML's default feature extractor for 28×28 grayscale data: two conv blocks
/// (conv3×3-BN-ReLU twice, then 2×2 max-pool), a 256-wide feature layer (the FID features), and a 10-way head.
/// Input: (N, 1, 28, 28) pixels in [−1, 1].
/// </summary>
public sealed class FashionMnistClassifier : nn.Module<Tensor, (Tensor Features, Tensor Logits)>
{
    /// <summary>Width of the feature layer.</summary>
    public const int FeatureSize = 256;

    private readonly Sequential body;
    private readonly Linear features;
    private readonly Dropout dropout;
    private readonly Linear head;

    /// <summary>Creates an untrained classifier.</summary>
    public FashionMnistClassifier() : base(nameof(FashionMnistClassifier))
    {
        body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding: 1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding: 1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding: 1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding: 1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(2));
        features = nn.Linear(64 * 7 * 7, FeatureSize);
        dropout = nn.Dropout(0.3);
        head = nn.Linear(FeatureSize, 10);
        RegisterComponents();
    }

    /// <summary>The convolutional body (exported layer by layer).</summary>
    internal Sequential Body => body;

    internal Linear FeatureLayer => features;

    internal Linear Head => head;

    /// <summary>x (N, 1, 28, 28) → features (N, 256) after ReLU, logits (N, 10).</summary>
    public override (Tensor Features, Tensor Logits) forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = body.forward(x).flatten(1);                              // (N, 3136)
        var f = nn.functional.relu(features.forward(h));                // (N, 256)
        var logits = head.forward(dropout.forward(f));                  // (N, 10)
        return (f.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }
}
