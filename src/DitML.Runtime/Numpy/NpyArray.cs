using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace DitML.Numpy;

/// <summary>A NumPy array read from .npy/.npz: dtype descriptor ("&lt;f8", "&lt;f4", "|u1", "&lt;i8"), shape and raw little-endian bytes.</summary>
public sealed partial class NpyArray
{
    private NpyArray(string dtype, long[] shape, byte[] data)
    {
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>NumPy's dtype descriptor.</summary>
    public string DType { get; }

    /// <summary>The shape.</summary>
    public long[] Shape { get; }

    /// <summary>Row-major little-endian bytes.</summary>
    public byte[] Data { get; }

    /// <summary>The values as double (float64, float32, uint8 and int64 arrays).</summary>
    public double[] ToDoubles() => DType switch
    {
        "<f8" => MemoryMarshal.Cast<byte, double>(Data).ToArray(),
        "<f4" => Array.ConvertAll(MemoryMarshal.Cast<byte, float>(Data).ToArray(), v => (double)v),
        "|u1" => Array.ConvertAll(Data, v => (double)v),
        "<i8" => Array.ConvertAll(MemoryMarshal.Cast<byte, long>(Data).ToArray(), v => (double)v),
        _ => throw new NotSupportedException($"dtype '{DType}' is not supported (float64, float32, uint8, int64 are)"),
    };

    /// <summary>
    /// Reads the header of one .npy stream, leaving the stream at the first data byte (for copying large arrays without
    /// holding them): the dtype descriptor and the shape.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a .npy header, naming <paramref name="source"/>.</exception>
    public static (string DType, long[] Shape) ReadHeader(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var head = new byte[10];
        try
        {
            stream.ReadExactly(head);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{source}: not a .npy array (too short)", e);
        }
        if (head[0] != 0x93 || Encoding.ASCII.GetString(head, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{source}: not a .npy array");
        int headerLength = head[6] == 1 ? BitConverter.ToUInt16(head, 8) : ReadInt32(stream, head);
        if (headerLength is < 0 or > 1 << 20) throw new InvalidDataException($"{source}: .npy header of {headerLength} bytes");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string header = Encoding.ASCII.GetString(headerBytes);
        var descr = DescrPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !shape.Success) throw new InvalidDataException($"{source}: unreadable .npy header {header.Trim()}");
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal)) throw new NotSupportedException($"{source}: Fortran-order arrays are not supported");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long d) ? d
                : throw new InvalidDataException($"{source}: .npy shape {shape.Value} has a dimension '{v}'")).ToArray();
        return (descr.Groups[1].Value, dims);
    }

    /// <summary>Bytes per item of a dtype descriptor.</summary>
    private static int ItemSize(string dtype, string source) => dtype switch
    {
        "<f8" or "<i8" => 8,
        "<f4" or "<i4" => 4,
        "|u1" or "|b1" => 1,
        var other => throw new NotSupportedException($"{source}: dtype '{other}'"),
    };

    /// <summary>Reads one .npy stream.</summary>
    public static NpyArray Read(Stream stream, string source)
    {
        var (dtype, dims) = ReadHeader(stream, source);
        int itemSize = ItemSize(dtype, source);
        long count = 1;
        foreach (long d in dims)
            count = d == 0 || count <= long.MaxValue / itemSize / Math.Max(d, 1) ? count * d : throw new InvalidDataException($"{source}: .npy shape ({string.Join(", ", dims)}) is larger than any file");
        if (count * itemSize > Array.MaxLength)
            throw new NotSupportedException($"{source}: {count * itemSize} bytes of .npy data are more than one array can hold in memory");
        var data = new byte[count * itemSize];
        try
        {
            stream.ReadExactly(data);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{source}: truncated .npy data ({count} × {itemSize} bytes expected)", e);
        }
        return new NpyArray(dtype, dims, data);
    }

    /// <summary>Reads the arrays of an .npz archive by name (without ".npy").</summary>
    public static Dictionary<string, NpyArray> ReadNpz(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"file not found: {path}", path);
        var result = new Dictionary<string, NpyArray>();
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".npy", StringComparison.Ordinal)))
            {
                using var s = entry.Open();
                result[entry.Name[..^4]] = Read(s, $"{path}:{entry.Name}");
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a readable .npz archive: {e.Message}", e);
        }
        return result;
    }

    private static int ReadInt32(Stream stream, byte[] head)
    {
        var rest = new byte[2];
        stream.ReadExactly(rest);
        return BitConverter.ToInt32([head[8], head[9], rest[0], rest[1]]);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
