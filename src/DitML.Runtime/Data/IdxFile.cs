using System.Buffers.Binary;
using System.IO.Compression;

namespace DitML.Data;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian header — two zero bytes, a type code
/// (0x08 = unsigned byte), the number of dimensions, then one 32-bit size per dimension — followed by the data.
/// Gzip-compressed files are recognized by their content, whatever their name. Every problem is an
/// <see cref="InvalidDataException"/> that names the file.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads an unsigned-byte IDX file that must have <paramref name="expectedDimensions"/> dimensions.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, dimension count, or a truncated / over-long / corrupt file.</exception>
    public static IdxArray Read(string path, int expectedDimensions)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (expectedDimensions is < 1 or > 255)
            throw new ArgumentOutOfRangeException(nameof(expectedDimensions), expectedDimensions, "An IDX file has 1 to 255 dimensions.");
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        try
        {
            using var file = File.OpenRead(path);
            using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            return Read(stream, path, expectedDimensions);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            // GZipStream's own errors do not say which file was bad.
            throw new InvalidDataException($"IDX file '{path}' is corrupt: {e.Message}", e);
        }
    }

    private static IdxArray Read(Stream stream, string path, int expectedDimensions)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = ReadFully(stream, magic);
        if (got < 4) throw new InvalidDataException($"IDX file '{path}' is truncated: {got} bytes, shorter than the 4-byte magic number.");
        uint expectedMagic = (uint)(UnsignedByteType << 8 | expectedDimensions);
        uint actualMagic = BinaryPrimitives.ReadUInt32BigEndian(magic);
        if (actualMagic != expectedMagic)
            throw new InvalidDataException(
                $"IDX file '{path}' has magic number 0x{actualMagic:X8}, expected 0x{expectedMagic:X8} (unsigned bytes, {expectedDimensions} dimension(s)" +
                $"{(expectedDimensions == 3 ? ": an idx3-ubyte image file" : expectedDimensions == 1 ? ": an idx1-ubyte label file" : "")}).");

        var header = new byte[4 * expectedDimensions];
        got = ReadFully(stream, header);
        if (got < header.Length)
            throw new InvalidDataException($"IDX file '{path}' is truncated inside its header ({4 + got} of {4 + header.Length} bytes).");
        var dims = new int[expectedDimensions];
        long total = 1;
        for (int d = 0; d < dims.Length; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4 * d));
            if (size == 0 || size > int.MaxValue)
                throw new InvalidDataException($"IDX file '{path}' declares dimension {d} of size {size}; sizes must be 1 … {int.MaxValue}.");
            dims[d] = (int)size;
            total *= size;
            if (total > Array.MaxLength)
                throw new InvalidDataException($"IDX file '{path}' declares {string.Join("×", dims.Take(d + 1))} values, more than an array can hold.");
        }

        var data = new byte[total];
        got = ReadFully(stream, data);
        if (got < total)
            throw new InvalidDataException(
                $"IDX file '{path}' is truncated: its header declares {string.Join("×", dims)} = {total} bytes of data, the file holds {got}.");
        if (stream.ReadByte() >= 0)
            throw new InvalidDataException($"IDX file '{path}' has data after the {total} bytes its header ({string.Join("×", dims)}) declares.");
        return new IdxArray(dims, data);
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = ReadFully(file, head);
        file.Position = 0;
        return n == 2 && head[0] == 0x1F && head[1] == 0x8B;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
