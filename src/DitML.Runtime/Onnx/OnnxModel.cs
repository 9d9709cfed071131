using System.Globalization;
using DitML.Onnx.Proto;
using Google.Protobuf;

namespace DitML.Onnx;

/// <summary>
/// An ONNX model built by <see cref="OnnxGraphBuilder"/>: opset 17, IR version 8. Saved as one file, or with its
/// large initializers in a side file (<c>model.onnx.data</c>) when the model would pass protobuf's 2 GB limit.
/// The weights are not held as one protobuf message: <see cref="Save"/> streams them from where the builder put them
/// (memory, or a temp spill file for large models), so saving never copies the whole model in memory. Dispose the model
/// to free its spill file at once (otherwise it goes when the model is finalized or the process ends).
/// </summary>
public sealed class OnnxModel : IDisposable
{
    /// <summary>Initializers at least this large go to external data when <see cref="Save"/> must split the model.</summary>
    public const long DefaultExternalThreshold = 1024;

    /// <summary>Protobuf cannot serialize a message of 2 GB or more.</summary>
    public const long ProtobufLimit = int.MaxValue;

    private readonly ModelProto shell;
    private readonly IReadOnlyList<Initializer> initializers;
    private readonly OnnxInitializerStore store;

    /// <summary>One initializer: its header (name, type, dims; no data) and where its bytes are.</summary>
    internal readonly record struct Initializer(TensorProto Header, OnnxInitializerStore.Entry Data);

    /// <param name="shell">The model with a graph that has no initializers.</param>
    /// <param name="initializers">The graph's initializers in order.</param>
    /// <param name="store">Their bytes.</param>
    internal OnnxModel(ModelProto shell, IReadOnlyList<Initializer> initializers, OnnxInitializerStore store)
    {
        this.shell = shell;
        this.initializers = initializers;
        this.store = store;
    }

    /// <summary>Number of nodes in the graph.</summary>
    public int NodeCount => shell.Graph.Node.Count;

    /// <summary>Total bytes of the initializers.</summary>
    public long InitializerBytes => initializers.Sum(t => t.Data.Length);

    /// <summary>The model's metadata properties.</summary>
    public IReadOnlyDictionary<string, string> Metadata => shell.MetadataProps.ToDictionary(p => p.Key, p => p.Value);

    /// <summary>
    /// Writes the model. Initializers move to <c>&lt;path&gt;.data</c> when <paramref name="forceExternalData"/> is set or
    /// the model is too large for one protobuf (over 2 GB); the .onnx then references them by offset.
    /// </summary>
    public void Save(string path, bool forceExternalData = false, long externalThreshold = DefaultExternalThreshold)
    {
        ArgumentNullException.ThrowIfNull(path);
        bool external = forceExternalData || InitializerBytes + 64L * 1024 * 1024 >= ProtobufLimit;
        string temp = path + ".partial";
        var headers = initializers.Select(t => (t.Header, Inline: (OnnxInitializerStore.Entry?)t.Data)).ToList();
        if (external)
        {
            string dataName = Path.GetFileName(path) + ".data";
            string dataTemp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataName + ".partial");
            using (var data = File.Create(dataTemp))
            {
                for (int i = 0; i < headers.Count; i++)
                {
                    var (header, entry) = (headers[i].Header, headers[i].Inline!.Value);
                    if (entry.Length < externalThreshold) continue;
                    long offset = data.Position;
                    store.CopyTo(entry, data);
                    var t = header.Clone();
                    t.DataLocation = TensorProto.Types.DataLocation.External;
                    t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = dataName });
                    t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(CultureInfo.InvariantCulture) });
                    t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = (data.Position - offset).ToString(CultureInfo.InvariantCulture) });
                    headers[i] = (t, null);
                    long pad = (4096 - data.Position % 4096) % 4096;           // page-align the next tensor (mmap-friendly)
                    data.Write(new byte[pad]);
                }
            }
            File.Move(dataTemp, Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataName), overwrite: true);
        }
        using (var file = File.Create(temp)) OnnxStreamWriter.Write(file, shell, headers, store);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The serialized model (single file; the model must be under 2 GB).</summary>
    public byte[] ToBytes()
    {
        if (InitializerBytes >= ProtobufLimit) throw new InvalidOperationException($"the model's {InitializerBytes:N0} bytes of weights pass protobuf's 2 GB limit: use Save, which writes them to external data");
        using var stream = new MemoryStream();
        OnnxStreamWriter.Write(stream, shell, initializers.Select(t => (t.Header, (OnnxInitializerStore.Entry?)t.Data)).ToList(), store);
        return stream.ToArray();
    }

    /// <summary>
    /// The whole model as one protobuf message with every initializer's bytes inline: the in-memory form the writer
    /// used before it streamed, kept as the reference the streamed bytes must equal.
    /// </summary>
    internal ModelProto ToProto()
    {
        var model = shell.Clone();
        foreach (var (header, data) in initializers)
        {
            var t = header.Clone();
            t.RawData = ByteString.CopyFrom(store.Read(data));
            model.Graph.Initializer.Add(t);
        }
        return model;
    }

    /// <summary>Frees the spill file, if any; the model cannot be saved afterwards.</summary>
    public void Dispose() => store.Dispose();
}
