using System.Buffers.Binary;

namespace DitML.Checkpoints;

/// <summary>
/// torch.save's format before PyTorch 1.6 (still written with <c>_use_new_zipfile_serialization=False</c>): five pickles
/// in a row — the magic number, the protocol version (1001), system info, the object (storages as persistent ids), the
/// list of storage keys — then each storage in that order as an int64 element count and its raw little-endian bytes.
/// Older releases ship in it (pytorch-fid's Inception weights are one candidate).
/// </summary>
internal static class LegacyPyTorchFormat
{
    /// <summary>The magic number 0x1950a86a20f9469cfc6c pickled with protocol 2 (PROTO 2, LONG1 of 10 bytes, STOP).</summary>
    private static readonly byte[] Magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

    private const long ProtocolVersion = 1001;

    /// <summary>Whether the file starts with the legacy magic number.</summary>
    public static bool Recognizes(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[Magic.Length];
        return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.AsSpan().SequenceEqual(Magic);
    }

    /// <summary>The unpickled object and the bytes of every storage, by key.</summary>
    /// <exception cref="InvalidDataException">A truncated or inconsistent file, or one written on a big-endian machine.</exception>
    public static (object? Root, Dictionary<string, byte[]> Storages) Load(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        int pos = Magic.Length;
        object? Next(out SafeUnpickler unpickler)
        {
            unpickler = new SafeUnpickler(data, path, pos);
            var value = unpickler.Load();
            pos = unpickler.Position;
            return value;
        }

        if (Next(out _) is not long version || version != ProtocolVersion)
            throw new InvalidDataException($"{path}: legacy torch.save file of an unknown protocol version (expected {ProtocolVersion})");
        if (Next(out _) is Dictionary<object, object?> info && info.TryGetValue("little_endian", out var little) && little is false)
            throw new InvalidDataException($"{path}: written on a big-endian machine, which DitML does not read");
        var root = Next(out var main);
        if (Next(out _) is not List<object?> keys)
            throw new InvalidDataException($"{path}: the legacy file has no list of storage keys after its object (truncated?)");

        var storages = new Dictionary<string, byte[]>();
        foreach (var k in keys)
        {
            string key = k as string ?? throw new InvalidDataException($"{path}: storage key {k} is not a string");
            if (!main.Storages.TryGetValue(key, out var storage))
                throw new InvalidDataException($"{path}: storage {key} is listed but no tensor refers to it");
            if (data.Length - pos < 8) throw new InvalidDataException($"{path}: storage {key} is missing (truncated file)");
            long count = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(pos, 8));
            pos += 8;
            if (count != storage.Count)
                throw new InvalidDataException($"{path}: storage {key} holds {count} elements, its tensors say {storage.Count}");
            long bytes = count * CheckpointTensor.ElementSize(storage.DType);
            if (bytes > data.Length - pos)
                throw new InvalidDataException($"{path}: storage {key} needs {bytes} bytes, the file has {data.Length - pos} left (truncated)");
            storages[key] = data.AsSpan(pos, (int)bytes).ToArray();
            pos += (int)bytes;
        }
        return (root, storages);
    }
}
