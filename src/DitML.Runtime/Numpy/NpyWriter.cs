using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace DitML.Numpy;

/// <summary>Writes NumPy .npy arrays and .npz archives (C order, little endian).</summary>
public static class NpyWriter
{
    /// <summary>Writes one array in the .npy format (version 1.0) to a stream.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data, string dtype, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string shapeText = shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")";
        string header = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";   // 64-byte aligned, newline-terminated
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(data);
    }

    /// <summary>Writes an .npz of named float64 arrays (e.g. pytorch-fid's "mu" and "sigma"), atomically.</summary>
    public static void SaveNpz(string path, IReadOnlyList<(string Name, double[] Values, long[] Shape)> arrays)
    {
        ArgumentNullException.ThrowIfNull(path);
        string temp = path + ".partial";
        using (var file = File.Create(temp))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            foreach (var (name, values, shape) in arrays)
            {
                using var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
                Write(entry, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), "<f8", shape);
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Writes an .npz holding uint8 images (N, H, W, C) under <c>arr_0</c> — the layout the ADM evaluator reads for FID.
    /// Written to a temporary file first, so nothing half-written is left on failure.
    /// </summary>
    public static void SaveImagesNpz(string path, ReadOnlySpan<byte> nhwc, int count, int height, int width, int channels)
    {
        ArgumentNullException.ThrowIfNull(path);
        string temp = path + ".partial";
        using (var file = File.Create(temp))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("arr_0.npy", CompressionLevel.NoCompression).Open();
            Write(entry, nhwc, "|u1", [count, height, width, channels]);
        }
        File.Move(temp, path, overwrite: true);
    }
}
