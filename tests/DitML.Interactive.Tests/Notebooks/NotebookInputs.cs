using System.Buffers.Binary;
using DitML.Models;
using DitML.Onnx;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Interactive.Tests.Notebooks;

/// <summary>
/// Small stand-ins for the notebooks' heavy inputs, in a temporary folder: a tiny random Fashion-MNIST-shaped DiT
/// exported to ONNX (the shipped model.onnx may not exist and is slow), the shipped classifier and test statistics
/// (small), and 40 synthetic 28×28 training images in IDX format (Debian's dataset may be absent).
/// </summary>
internal sealed class NotebookInputs : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("ditml-notebooks-").FullName;

    public NotebookInputs(string repositoryRoot)
    {
        ModelsDirectory = Path.Combine(dir, "models");
        DataDirectory = Path.Combine(dir, "data");
        Directory.CreateDirectory(ModelsDirectory);
        Directory.CreateDirectory(DataDirectory);

        manual_seed(0);
        var config = new DiTConfig { InputSize = 28, PatchSize = 7, InChannels = 1, HiddenSize = 32, Depth = 1, NumHeads = 2, NumClasses = 10 };
        using (var model = new DiT(config))
        {
            // A new DiT outputs exactly 0 (adaLN-Zero); random weights make the samples depend on label and seed.
            using (no_grad())
                foreach (var (name, p) in model.named_parameters())
                    if (name != "pos_embed") p.normal_(0, 0.05);
            DiTOnnxExporter.Export(model, new DiTOnnxExportOptions { Space = ModelSpace.Pixel, GuidanceScale = 2 }).Save(Path.Combine(ModelsDirectory, "model.onnx"));
        }
        string shipped = Path.Combine(repositoryRoot, "examples", "models", "fashion-mnist");
        foreach (string file in new[] { "classifier.onnx", "test-stats.npz" })
            File.Copy(Path.Combine(shipped, file), Path.Combine(ModelsDirectory, file));

        WriteIdx(Path.Combine(DataDirectory, "train-images-idx3-ubyte"), 0x0803, [40, 28, 28],
            Enumerable.Range(0, 40 * 28 * 28).Select(i => (byte)(i / (28 * 28) % 10 * 25 + i % 28)).ToArray());
        WriteIdx(Path.Combine(DataDirectory, "train-labels-idx1-ubyte"), 0x0801, [40],
            Enumerable.Range(0, 40).Select(i => (byte)(i % 10)).ToArray());
    }

    /// <summary>Holds model.onnx (tiny), classifier.onnx and test-stats.npz.</summary>
    public string ModelsDirectory { get; }

    /// <summary>Where notebook 2 trains (not created: the trainer creates it and refuses an existing run).</summary>
    public string RunDirectory => Path.Combine(dir, "run");

    /// <summary>Holds the training split in IDX format.</summary>
    public string DataDirectory { get; }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // IDX: a big-endian magic (0x08 = unsigned bytes, then the number of dimensions), the sizes, the data.
    private static void WriteIdx(string path, int magic, int[] dims, byte[] data)
    {
        var header = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        File.WriteAllBytes(path, [.. header, .. data]);
    }
}
