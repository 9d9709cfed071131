using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DitML.Checkpoints;

/// <summary>
/// The safetensors format (diffusers, Hugging Face): an 8-byte little-endian header length, a JSON header mapping each
/// name to {dtype, shape, data_offsets} plus an optional string map <c>__metadata__</c>, then the raw little-endian bytes.
/// </summary>
public static class SafeTensorsFile
{
    private static readonly Dictionary<string, TensorDType> Types = new()
    {
        ["F32"] = TensorDType.Float32, ["F16"] = TensorDType.Float16, ["BF16"] = TensorDType.BFloat16, ["F64"] = TensorDType.Float64,
        ["I64"] = TensorDType.Int64, ["I32"] = TensorDType.Int32, ["I16"] = TensorDType.Int16, ["I8"] = TensorDType.Int8,
        ["U8"] = TensorDType.UInt8, ["BOOL"] = TensorDType.Bool,
    };

    /// <summary>Reads only the header's <c>__metadata__</c> map (cheap for any file size: the tensors are not read).</summary>
    /// <exception cref="InvalidDataException">Truncated or corrupt header.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        using var stream = File.OpenRead(path);
        var (json, _) = ReadHeader(stream, path);
        var metadata = new Dictionary<string, string>();
        if (json["__metadata__"] is { } node) AddMetadata(node, path, metadata);
        return metadata;
    }

    private static void AddMetadata(JsonNode? node, string path, Dictionary<string, string> metadata)
    {
        var map = node as JsonObject ?? throw new InvalidDataException($"{path}: __metadata__ must be a map of strings, got {Describe(node)}");
        foreach (var (k, v) in map) metadata[k] = Text(v, path, $"__metadata__ entry '{k}'");
    }

    /// <summary>The header JSON and its length, the stream left at the first tensor byte.</summary>
    private static (JsonObject Json, ulong HeaderLength) ReadHeader(FileStream stream, string path)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8) throw new InvalidDataException($"{path}: too short for a safetensors file");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > 100_000_000 || 8 + (long)headerLength > stream.Length)
            throw new InvalidDataException($"{path}: safetensors header length {headerLength} does not fit the file ({stream.Length} bytes)");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        try
        {
            return (JsonNode.Parse(header) as JsonObject ?? throw new InvalidDataException($"{path}: the safetensors header is not a JSON object"), headerLength);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: safetensors header is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads every tensor and the metadata.</summary>
    /// <exception cref="InvalidDataException">Truncated or corrupt file (naming what is wrong).</exception>
    public static CheckpointContents Read(string path)
    {
        var (entries, metadata, dataStart) = ReadTable(path);
        using var stream = File.OpenRead(path);
        var tensors = new Dictionary<string, CheckpointTensor>();
        foreach (var (name, dtype, shape, begin, end) in entries.OrderBy(e => e.Begin))
        {
            var bytes = new byte[end - begin];
            stream.Position = dataStart + begin;
            stream.ReadExactly(bytes);
            tensors[name] = new CheckpointTensor(dtype, shape, bytes);
        }
        // Keep the header's order (the order the writer chose), not the data order.
        var ordered = entries.ToDictionary(e => e.Name, e => tensors[e.Name]);
        return new CheckpointContents(ordered, metadata);
    }

    /// <summary>
    /// Reads the header and metadata now and each tensor's bytes only when its <see cref="CheckpointTensor.Data"/> is
    /// asked for (deferred tensors): a loader that copies one tensor at a time never holds the whole file. Everything
    /// the header says is checked here, as by <see cref="Read"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Truncated or corrupt file (naming what is wrong).</exception>
    public static CheckpointContents Open(string path)
    {
        var (entries, metadata, dataStart) = ReadTable(path);
        long length = new FileInfo(path).Length;
        var tensors = new Dictionary<string, CheckpointTensor>();
        foreach (var (name, dtype, shape, begin, end) in entries)
        {
            tensors[name] = new CheckpointTensor(dtype, shape, () =>
            {
                using var stream = File.OpenRead(path);
                if (stream.Length != length) throw new InvalidDataException($"{path}: the file changed since it was opened ({length} bytes then, {stream.Length} now)");
                var bytes = new byte[end - begin];
                stream.Position = dataStart + begin;
                stream.ReadExactly(bytes);
                return bytes;
            });
        }
        return new CheckpointContents(tensors, metadata);
    }

    /// <summary>The checked tensor table (header order), the metadata and where the data starts.</summary>
    private static (List<(string Name, TensorDType DType, long[] Shape, long Begin, long End)> Entries, Dictionary<string, string> Metadata, long DataStart) ReadTable(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        using var stream = File.OpenRead(path);
        var (json, headerLength) = ReadHeader(stream, path);

        long dataStart = 8 + (long)headerLength, dataLength = stream.Length - dataStart;
        var metadata = new Dictionary<string, string>();
        var entries = new List<(string Name, TensorDType DType, long[] Shape, long Begin, long End)>();
        foreach (var (name, node) in json)
        {
            if (name == "__metadata__")
            {
                AddMetadata(node, path, metadata);
                continue;
            }
            var o = node as JsonObject ?? throw new InvalidDataException($"{path}: tensor '{name}' must be described by an object, got {Describe(node)}");
            string dtypeName = Text(o["dtype"], path, $"tensor '{name}': dtype");
            if (!Types.TryGetValue(dtypeName, out var dtype))
                throw new InvalidDataException($"{path}: tensor '{name}' has unsupported dtype '{dtypeName}'");
            var shape = Numbers(o["shape"], path, $"tensor '{name}': shape");
            var offsets = Numbers(o["data_offsets"], path, $"tensor '{name}': data_offsets");
            long expected = CheckpointTensor.ElementSize(dtype);
            foreach (long dim in shape)
            {
                if (dim < 0) throw new InvalidDataException($"{path}: tensor '{name}' has a negative dimension in shape {CheckpointTensor.FormatShape(shape)}");
                expected = dim == 0 || expected <= long.MaxValue / dim ? expected * dim
                    : throw new InvalidDataException($"{path}: tensor '{name}' ({dtypeName} {CheckpointTensor.FormatShape(shape)}) is larger than any file");
            }
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength || offsets[1] - offsets[0] != expected)
                throw new InvalidDataException(
                    $"{path}: tensor '{name}' ({dtypeName} {CheckpointTensor.FormatShape(shape)}) has data offsets [{string.Join(", ", offsets)}] that do not fit its size {expected} or the file's {dataLength} data bytes (truncated?)");
            if (expected > Array.MaxLength)
                throw new InvalidDataException($"{path}: tensor '{name}' holds {expected} bytes, more than one array can");
            entries.Add((name, dtype, shape, offsets[0], offsets[1]));
        }
        return (entries, metadata, dataStart);
    }

    private static string Describe(JsonNode? node) => node is null ? "null" : $"{node.GetValueKind()} {Shorten(node.ToJsonString())}";

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private static string Text(JsonNode? node, string path, string what) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : throw new InvalidDataException($"{path}: {what} must be a string, got {Describe(node)}");

    private static long[] Numbers(JsonNode? node, string path, string what)
    {
        if (node is not JsonArray array) throw new InvalidDataException($"{path}: {what} must be an array of whole numbers, got {Describe(node)}");
        return array.Select(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out long n) ? n
            : x is JsonValue w && w.GetValueKind() == JsonValueKind.Number && w.TryGetValue<JsonElement>(out var e) && e.TryGetInt64(out long m) ? m
            : throw new InvalidDataException($"{path}: {what} must hold whole numbers that fit 64 bits, got {Describe(x)}")).ToArray();
    }

    /// <summary>
    /// Writes tensors (in the given order) and optional string metadata. Written to a temporary file first, so a
    /// failure leaves no half-written file.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, CheckpointTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var m = new JsonObject();
            foreach (var (k, v) in metadata) m[k] = v;
            header["__metadata__"] = m;
        }
        long offset = 0;
        foreach (var (name, t) in tensors)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = Types.First(kv => kv.Value == t.DType).Key,
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.ByteCount),
            };
            offset += t.ByteCount;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - headerBytes.Length % 8) % 8;                  // align the data to 8 bytes, as the reference writer does
        string temp = path + ".partial";
        using (var stream = File.Create(temp))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(headerBytes.Length + pad));
            stream.Write(length);
            stream.Write(headerBytes);
            for (int i = 0; i < pad; i++) stream.WriteByte((byte)' ');
            foreach (var t in tensors.Values) stream.Write(t.Data);           // a deferred tensor is read here, one at a time
        }
        File.Move(temp, path, overwrite: true);
    }
}
