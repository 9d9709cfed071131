using DitML.Onnx.Proto;
using Google.Protobuf;

namespace DitML.Onnx;

/// <summary>
/// An ONNX model built by <see cref="OnnxGraphBuilder"/>: opset 17, IR version 8. Saved as one file, or with its
/// large initializers in a side file (<c>model.onnx.data</c>) when the model would pass protobuf's 2 GB limit.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>Initializers at least this large go to external data when <see cref="Save"/> must split the model.</summary>
    public const long DefaultExternalThreshold = 1024;

    /// <summary>Protobuf cannot serialize a message of 2 GB or more.</summary>
    public const long ProtobufLimit = int.MaxValue;

    internal OnnxModel(ModelProto proto) => Proto = proto;

    internal ModelProto Proto { get; }

    /// <summary>Number of nodes in the graph.</summary>
    public int NodeCount => Proto.Graph.Node.Count;

    /// <summary>Total bytes of the initializers.</summary>
    public long InitializerBytes => Proto.Graph.Initializer.Sum(t => (long)t.RawData.Length);

    /// <summary>The model's metadata properties.</summary>
    public IReadOnlyDictionary<string, string> Metadata => Proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);

    /// <summary>
    /// Writes the model. Initializers move to <c>&lt;path&gt;.data</c> when <paramref name="forceExternalData"/> is set or
    /// the model is too large for one protobuf (over 2 GB); the .onnx then references them by offset.
    /// </summary>
    public void Save(string path, bool forceExternalData = false, long externalThreshold = DefaultExternalThreshold)
    {
        ArgumentNullException.ThrowIfNull(path);
        bool external = forceExternalData || InitializerBytes + 64L * 1024 * 1024 >= ProtobufLimit;
        var model = Proto.Clone();
        string temp = path + ".partial";
        if (external)
        {
            string dataName = Path.GetFileName(path) + ".data";
            string dataTemp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataName + ".partial");
            using (var data = File.Create(dataTemp))
            {
                foreach (var t in model.Graph.Initializer.Where(t => t.RawData.Length >= externalThreshold))
                {
                    long offset = data.Position;
                    t.RawData.WriteTo(data);
                    t.RawData = ByteString.Empty;
                    t.DataLocation = TensorProto.Types.DataLocation.External;
                    t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = dataName });
                    t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                    t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = (data.Position - offset).ToString(System.Globalization.CultureInfo.InvariantCulture) });
                    long pad = (4096 - data.Position % 4096) % 4096;           // page-align the next tensor (mmap-friendly)
                    data.Write(new byte[pad]);
                }
            }
            File.Move(dataTemp, Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataName), overwrite: true);
        }
        using (var file = File.Create(temp)) model.WriteTo(file);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The serialized model (single file; the model must be under 2 GB).</summary>
    public byte[] ToBytes() => Proto.ToByteArray();
}
