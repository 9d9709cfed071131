using System.Globalization;
using DitML.Onnx;
using DitML.Onnx.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DitML.Runtime.Tests.Onnx;

/// <summary>
/// The streaming writer's bytes equal those of the whole ModelProto serialized in memory (the writer before it
/// streamed), for single files and external data, whether the weights stayed in memory or went to the spill file.
/// </summary>
[TestClass]
public sealed class OnnxStreamWriterTests
{
    private const int In = 24, Out = 40;

    private static float[] Values(int n, int seed) => Enumerable.Range(0, n).Select(i => (float)Math.Sin(seed + 0.37 * i)).ToArray();

    /// <summary>A small graph with every kind of initializer the builder writes: float, int64, int8, shared constants, a large one.</summary>
    private static OnnxModel Build(long inMemoryBytes)
    {
        var g = new OnnxGraphBuilder("test", inMemoryBytes);
        var x = g.Input("x", OnnxElementType.Float, "N", In);
        var h = g.Linear(x, "fc1", Values(Out * In, 1), In, Out, Values(Out, 2));
        h = g.LayerNorm(h, g.Filled(1f, Out), null, 1e-6f);
        h = g.Add(g.Reshape(h, 0, -1), g.Initializer("big", Values(Out * 1000, 3).AsSpan(0, Out), Out));
        var q = g.LinearInt8(h, "fc2", Values(In * Out, 4), Out, In, Values(In, 5));
        g.Initializer("unused_big", Values(70_000, 6), 70_000);                  // > 256 KiB: spills at small budgets
        g.Output("out", g.Mul(q, g.Scalar(0.5f)), OnnxElementType.Float, "N", In);
        return g.Metadata("k", "v").Build();
    }

    [TestMethod]
    [DataRow(0L)]                 // every initializer in the spill file
    [DataRow(100_000L)]           // some in memory, the rest spilled
    [DataRow(OnnxGraphBuilder.DefaultInMemoryInitializerBytes)]
    public void StreamedBytesEqualTheInMemoryProtobuf(long inMemoryBytes)
    {
        using var model = Build(inMemoryBytes);
        var reference = model.ToProto().ToByteArray();
        CollectionAssert.AreEqual(reference, model.ToBytes());
        string dir = Directory.CreateTempSubdirectory("ditml-stream-").FullName;
        try
        {
            string path = Path.Combine(dir, "m.onnx");
            model.Save(path);
            CollectionAssert.AreEqual(reference, File.ReadAllBytes(path), "Save writes the same bytes");
            Assert.IsFalse(File.Exists(path + ".data"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(OnnxGraphBuilder.DefaultInMemoryInitializerBytes)]
    public void ExternalDataEqualsTheInMemoryWritersSplit(long inMemoryBytes)
    {
        using var model = Build(inMemoryBytes);
        string dir = Directory.CreateTempSubdirectory("ditml-stream-").FullName;
        try
        {
            string path = Path.Combine(dir, "m.onnx");
            model.Save(path, forceExternalData: true);
            var (onnx, data) = InMemorySplit(model.ToProto(), "m.onnx.data", OnnxModel.DefaultExternalThreshold);
            CollectionAssert.AreEqual(onnx, File.ReadAllBytes(path));
            CollectionAssert.AreEqual(data, File.ReadAllBytes(path + ".data"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TheSpillFileLeavesNothingInTheTempFolder()
    {
        if (OperatingSystem.IsWindows()) Assert.Inconclusive("Windows deletes the spill file when its handle closes");
        static string[] Spills() => Directory.GetFiles(Path.GetTempPath(), "ditml-onnx-*.spill");
        var before = Spills();
        var model = Build(0);                                                      // every tensor spilled; not disposed
        Assert.IsGreaterThan(280_000L, model.InitializerBytes);
        CollectionAssert.IsSubsetOf(Spills(), before, "the spill file is unlinked as soon as it is open, so nothing stays behind");
        CollectionAssert.AreEqual(model.ToProto().ToByteArray(), model.ToBytes(), "its data is still readable");
        model.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.ToBytes());
    }

    [TestMethod]
    public void OnnxRuntimeRunsTheStreamedModel()
    {
        using var model = Build(0);
        using var session = new InferenceSession(model.ToBytes());
        Assert.AreEqual("v", session.ModelMetadata.CustomMetadataMap["k"]);
        var x = Values(2 * In, 9);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [2, In]))]);
        var y = results.Single().AsEnumerable<float>().ToArray();
        Assert.HasCount(2 * In, y);
        Assert.IsTrue(y.All(float.IsFinite) && y.Any(v => v != 0));
        using var again = new InferenceSession(model.ToProto().ToByteArray());
        using var expected = again.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [2, In]))]);
        CollectionAssert.AreEqual(expected.Single().AsEnumerable<float>().ToArray(), y);
    }

    /// <summary>The external-data split as the in-memory writer made it: tensors of at least the threshold, in order, each page-aligned.</summary>
    private static (byte[] Onnx, byte[] Data) InMemorySplit(ModelProto proto, string dataName, long threshold)
    {
        using var data = new MemoryStream();
        foreach (var t in proto.Graph.Initializer.Where(t => t.RawData.Length >= threshold))
        {
            long offset = data.Position;
            t.RawData.WriteTo(data);
            t.RawData = ByteString.Empty;
            t.DataLocation = TensorProto.Types.DataLocation.External;
            t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = dataName });
            t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(CultureInfo.InvariantCulture) });
            t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = (data.Position - offset).ToString(CultureInfo.InvariantCulture) });
            data.Write(new byte[(4096 - data.Position % 4096) % 4096]);
        }
        return (proto.ToByteArray(), data.ToArray());
    }
}
