using System.Buffers.Binary;

namespace DitML.Checkpoints;

/// <summary>
/// A tensor as a checkpoint file stores it: element type, shape and contiguous row-major little-endian bytes.
/// Torch-free, so checkpoint formats can be read, checked and converted without loading libtorch. A tensor of a file
/// opened with <see cref="CheckpointFile.Open"/> is deferred: its bytes stay in the file and are read on each access to
/// <see cref="Data"/>, so a loader that takes one tensor at a time never holds the whole file.
/// </summary>
public sealed class CheckpointTensor
{
    private readonly byte[]? data;
    private readonly Func<byte[]>? read;

    /// <summary>Creates a tensor from raw little-endian bytes; the byte count must match the shape and type.</summary>
    public CheckpointTensor(TensorDType dtype, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long expected = ElementCountOf(shape) * ElementSize(dtype);
        if (data.LongLength != expected)
            throw new ArgumentException($"{dtype} tensor of shape {FormatShape(shape)} needs {expected} bytes, got {data.LongLength}", nameof(data));
        DType = dtype;
        Shape = shape;
        this.data = data;
    }

    /// <summary>A deferred tensor: <paramref name="read"/> returns its bytes (checked against the shape) each time they are asked for.</summary>
    internal CheckpointTensor(TensorDType dtype, long[] shape, Func<byte[]> read)
    {
        ElementCountOf(shape);
        DType = dtype;
        Shape = shape;
        this.read = read;
    }

    /// <summary>The element type.</summary>
    public TensorDType DType { get; }

    /// <summary>The shape (empty for a scalar).</summary>
    public long[] Shape { get; }

    /// <summary>
    /// Contiguous row-major little-endian element bytes. For a deferred tensor (<see cref="IsDeferred"/>) each access
    /// reads them from the file afresh: take them once per use.
    /// </summary>
    /// <exception cref="InvalidDataException">A deferred tensor whose file has changed or been truncated since it was opened.</exception>
    public byte[] Data => data ?? ReadDeferred();

    /// <summary>Whether the bytes stay in the file until <see cref="Data"/> reads them (a tensor of <see cref="CheckpointFile.Open"/>).</summary>
    public bool IsDeferred => read is not null;

    /// <summary>The size of <see cref="Data"/> in bytes, known without reading it.</summary>
    public long ByteCount => ElementCount * ElementSize(DType);

    private byte[] ReadDeferred()
    {
        var bytes = read!();
        if (bytes.LongLength != ByteCount)
            throw new InvalidDataException($"{DType} tensor of shape {FormatShape(Shape)} read {bytes.LongLength} bytes from its file, needs {ByteCount}: the file changed since it was opened");
        return bytes;
    }

    /// <summary>Number of elements.</summary>
    public long ElementCount => ElementCountOf(Shape);

    /// <summary>Creates a float32 tensor from values.</summary>
    public static CheckpointTensor FromFloat32(long[] shape, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return new CheckpointTensor(TensorDType.Float32, shape, bytes);
    }

    /// <summary>The values converted to float32 (float16, bfloat16, float64 and integer types are widened or narrowed).</summary>
    public float[] ToFloat32()
    {
        var n = checked((int)ElementCount);
        var result = new float[n];
        var d = Data.AsSpan();
        for (int i = 0; i < n; i++)
        {
            result[i] = DType switch
            {
                TensorDType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(d[(i * 4)..]),
                TensorDType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(d[(i * 2)..]),
                TensorDType.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(d[(i * 2)..]) << 16),
                TensorDType.Float64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(d[(i * 8)..]),
                TensorDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(d[(i * 8)..]),
                TensorDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(d[(i * 4)..]),
                TensorDType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(d[(i * 2)..]),
                TensorDType.Int8 => (sbyte)d[i],
                TensorDType.UInt8 => d[i],
                TensorDType.Bool => d[i] != 0 ? 1f : 0f,
                _ => throw new NotSupportedException(DType.ToString()),
            };
        }
        return result;
    }

    /// <summary>Bytes per element of a type.</summary>
    public static int ElementSize(TensorDType dtype) => dtype switch
    {
        TensorDType.Float64 or TensorDType.Int64 => 8,
        TensorDType.Float32 or TensorDType.Int32 => 4,
        TensorDType.Float16 or TensorDType.BFloat16 or TensorDType.Int16 => 2,
        _ => 1,
    };

    /// <summary>Formats a shape as PyTorch prints it, e.g. <c>(1, 256, 384)</c>.</summary>
    public static string FormatShape(IReadOnlyList<long> shape) => "(" + string.Join(", ", shape) + ")";

    private static long ElementCountOf(long[] shape)
    {
        long n = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new ArgumentException($"negative dimension in shape {FormatShape(shape)}", nameof(shape));
            n = checked(n * s);
        }
        return n;
    }
}
