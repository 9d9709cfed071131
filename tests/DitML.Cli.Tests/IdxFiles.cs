using System.Buffers.Binary;
using System.IO.Compression;

namespace DitML.Cli.Tests;

/// <summary>Writes a small gzip'd IDX training split (random pixels, labels cycling through the classes) for CLI tests.</summary>
internal static class IdxFiles
{
    public static void Write(string dir, int n, int size, int classes)
    {
        Directory.CreateDirectory(dir);
        var images = new byte[16 + n * size * size];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), size);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), size);
        new Random(1).NextBytes(images.AsSpan(16));
        var labels = new byte[8 + n];
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), n);
        for (int i = 0; i < n; i++) labels[8 + i] = (byte)(i % classes);
        foreach (var (name, bytes) in new[] { ("train-images-idx3-ubyte.gz", images), ("train-labels-idx1-ubyte.gz", labels) })
        {
            using var file = File.Create(Path.Combine(dir, name));
            using var gz = new GZipStream(file, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
    }
}
