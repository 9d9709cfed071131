using DitML.Models;
using DitML.Onnx;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.ML.Tests.Generation;

/// <summary>A small random pixel-space DiT exported to ONNX in a temporary folder, for end-to-end tests.</summary>
internal sealed class ExportedModel : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("ditml-ml-").FullName;

    public ExportedModel(int seed = 0, int inputSize = 8, int channels = 1, string[]? classNames = null, OnnxPrecision precision = OnnxPrecision.Float32)
    {
        var config = new DiTConfig { InputSize = inputSize, PatchSize = 2, InChannels = channels, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 5 };
        using var model = new DiT(config);
        // A generator of its own, not manual_seed: the tests run in parallel and share libtorch's default generator, so
        // two models of one seed built at the same time would otherwise interleave their draws and differ.
        using var generator = new Generator((ulong)seed);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name != "pos_embed") p.normal_(0, 0.05, generator);
        Path = System.IO.Path.Combine(dir, "tiny.onnx");
        DiTOnnxExporter.Export(model, new DiTOnnxExportOptions { Space = ModelSpace.Pixel, GuidanceScale = 2, ClassNames = classNames, Precision = precision }).Save(Path);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
