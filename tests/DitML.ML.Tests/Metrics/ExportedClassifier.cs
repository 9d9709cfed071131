using DitML.Metrics;
using static TorchSharp.torch;
using DitML.Classifiers;

namespace DitML.ML.Tests.Metrics;

/// <summary>A random-weight Fashion-MNIST-shaped classifier exported to ONNX in a temporary folder.</summary>
internal sealed class ExportedClassifier : IDisposable
{
    private readonly string dir = System.IO.Directory.CreateTempSubdirectory("ditml-cls-").FullName;

    public ExportedClassifier(int seed = 0)
    {
        manual_seed(seed);
        using var model = new FashionMnistClassifier();
        model.eval();
        Path = System.IO.Path.Combine(dir, "classifier.onnx");
        FashionMnistClassifierExporter.Export(model).Save(Path);
    }

    public string Path { get; }

    public string Directory => dir;

    public void Dispose() => System.IO.Directory.Delete(dir, recursive: true);
}
