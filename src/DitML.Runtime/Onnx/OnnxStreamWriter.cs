using DitML.Onnx.Proto;
using Google.Protobuf;

namespace DitML.Onnx;

/// <summary>
/// Serializes a ModelProto whose initializers' bytes live outside it, streaming each tensor's bytes into the output.
/// The bytes are exactly those of the whole message serialized by Google.Protobuf (fields in number order, lengths
/// first): the model's fields before <c>graph</c>, then the graph's length and its fields — nodes and name, the
/// initializers (each a header of dims, type and name, then <c>raw_data</c>, field 9, which follows them), doc string,
/// inputs, outputs, value infos — then the opset imports and metadata. Every length is known before the data is read,
/// since a header's size and the data's length add up to the tensor's.
/// </summary>
internal static class OnnxStreamWriter
{
    private const int GraphField = 7, InitializerField = 5, RawDataField = 9;

    /// <summary>
    /// Writes <paramref name="shell"/> (whose graph has no initializers) with <paramref name="initializers"/> in order;
    /// an initializer with data has it written as <c>raw_data</c>, one without is written as its header alone (external).
    /// </summary>
    public static void Write(Stream output, ModelProto shell, IReadOnlyList<(TensorProto Header, OnnxInitializerStore.Entry? Data)> initializers, OnnxInitializerStore store)
    {
        var graph = shell.Graph;
        var modelHead = new ModelProto
        {
            IrVersion = shell.IrVersion,
            ProducerName = shell.ProducerName,
            ProducerVersion = shell.ProducerVersion,
            Domain = shell.Domain,
            ModelVersion = shell.ModelVersion,
            DocString = shell.DocString,
        };
        var modelTail = new ModelProto();
        modelTail.OpsetImport.AddRange(shell.OpsetImport);
        modelTail.MetadataProps.AddRange(shell.MetadataProps);
        var graphHead = new GraphProto { Name = graph.Name };
        graphHead.Node.AddRange(graph.Node);
        var graphTail = new GraphProto { DocString = graph.DocString };
        graphTail.Input.AddRange(graph.Input);
        graphTail.Output.AddRange(graph.Output);
        graphTail.ValueInfo.AddRange(graph.ValueInfo);

        long TensorSize(int i)
        {
            var (header, data) = initializers[i];
            long size = header.CalculateSize();
            // proto3 leaves an empty bytes field out.
            if (data is { Length: > 0 } d) size += CodedOutputStream.ComputeTagSize(RawDataField) + CodedOutputStream.ComputeUInt64Size((ulong)d.Length) + d.Length;
            return size;
        }

        var sizes = Enumerable.Range(0, initializers.Count).Select(TensorSize).ToArray();
        long graphSize = graphHead.CalculateSize() + graphTail.CalculateSize()
            + sizes.Sum(s => CodedOutputStream.ComputeTagSize(InitializerField) + CodedOutputStream.ComputeUInt64Size((ulong)s) + s);

        var coded = new CodedOutputStream(output, leaveOpen: true);
        modelHead.WriteTo(coded);
        coded.WriteTag(GraphField, WireFormat.WireType.LengthDelimited);
        coded.WriteUInt64((ulong)graphSize);
        graphHead.WriteTo(coded);
        for (int i = 0; i < initializers.Count; i++)
        {
            var (header, data) = initializers[i];
            coded.WriteTag(InitializerField, WireFormat.WireType.LengthDelimited);
            coded.WriteUInt64((ulong)sizes[i]);
            header.WriteTo(coded);
            if (data is { Length: > 0 } d)
            {
                coded.WriteTag(RawDataField, WireFormat.WireType.LengthDelimited);
                coded.WriteUInt64((ulong)d.Length);
                coded.Flush();
                store.CopyTo(d, output);
            }
        }
        graphTail.WriteTo(coded);
        modelTail.WriteTo(coded);
        coded.Flush();
    }
}
