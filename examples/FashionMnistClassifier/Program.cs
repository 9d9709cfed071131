// Trains DitML's Fashion-MNIST classifier (the default feature extractor for 28×28 grayscale data), checks its test
// accuracy, and writes, into the output folder (default examples/models/fashion-mnist):
//   classifier.onnx  — frozen, torch-free (features: 256-d, probabilities: 10 classes)
//   test-stats.npz   — pytorch-fid-layout statistics (mu, sigma) of the 10,000 test images' features
//   classifier.md    — the model card: command, wall time, accuracy
//
//   dotnet run -c Release --project examples/FashionMnistClassifier -- [--epochs 8] [--out DIR]
using System.Diagnostics;
using System.Globalization;
using DitML.Data;
using DitML.Metrics;
using DitML.Classifiers;

string outDir = Arg("--out", Path.Combine("examples", "models", "fashion-mnist"));
int epochs = int.Parse(Arg("--epochs", "8"), CultureInfo.InvariantCulture);
Directory.CreateDirectory(outDir);
var train = FashionMnist.Load(IdxSplit.Train);
var test = FashionMnist.Load(IdxSplit.Test);
var watch = Stopwatch.StartNew();
using var model = FashionMnistClassifierTraining.Train(train, test, epochs,
    progress: new Progress<(int Epoch, double TestAccuracy)>(p => Console.WriteLine($"epoch {p.Epoch}: test accuracy {p.TestAccuracy:P2} ({watch.Elapsed.TotalMinutes:F1} min)")));
double accuracy = FashionMnistClassifierTraining.Accuracy(model, test);
string onnxPath = Path.Combine(outDir, "classifier.onnx");
FashionMnistClassifierExporter.Export(model).Save(onnxPath);

// Reference statistics of the test set, computed by the frozen ONNX model (what evaluation will use).
using var classifier = new OnnxImageClassifier(onnxPath);
var pixels = test.ToFloatArray();
var (features, probabilities) = classifier.Run(pixels);
var (mu, sigma) = FeatureStatistics.Of(features, classifier.FeatureSize);
StatisticsFile.Save(Path.Combine(outDir, "test-stats.npz"), mu, sigma);
var labels = Enumerable.Range(0, test.Count).Select(i => (long)test.GetLabel(i)).ToArray();
double onnxAccuracy = GenerativeMetrics.ClassAccuracy(probabilities, labels, 10);

File.WriteAllText(Path.Combine(outDir, "classifier.md"), $"""
    # Fashion-MNIST classifier (DitML)

    DitML's default feature extractor for 28×28 grayscale data: conv3×3-BN-ReLU ×2, max-pool, ×2, a 256-wide feature
    layer (the FID features) and a 10-way head. Trained here with Adam (lr 1e-3 with cosine decay to 0, batch 128, random horizontal flips).

    | | |
    |---|---|
    | command | `dotnet run -c Release --project examples/FashionMnistClassifier -- --epochs {epochs}` |
    | wall time | {watch.Elapsed.TotalMinutes:F1} min on this machine (2 cores, shared with other work) |
    | test accuracy (TorchSharp) | {accuracy:P2} |
    | test accuracy (ONNX, frozen) | {onnxAccuracy:P2} |
    | files | `classifier.onnx` (input `pixels` (N, 1, 28, 28) in [−1, 1]; outputs `features` (N, 256), `probabilities` (N, 10)), `test-stats.npz` (mu, sigma of the 10,000 test images' features) |
    """.Replace("\n    ", "\n"));
Console.WriteLine($"wrote {outDir}: test accuracy {onnxAccuracy:P2}, {watch.Elapsed.TotalMinutes:F1} min");
return 0;

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
