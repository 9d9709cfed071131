using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DitML.Checkpoints;

namespace DitML.Runtime.Tests.Checkpoints;

/// <summary>Hostile or corrupt checkpoint files get a message naming the file, never an overflow, a crash or a huge allocation.</summary>
[TestClass]
public sealed class FileReaderHardeningTests
{
    private static string WriteSafeTensors(string header, int dataBytes = 16)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ditml-hostile-{Guid.NewGuid():N}.safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        file.Write(new byte[dataBytes]);
        return path;
    }

    [TestMethod]
    [DataRow("""{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}""", "larger than any file", DisplayName = "shape whose size overflows 64 bits")]
    [DataRow("""{"w":{"dtype":"F32","shape":[-4,-1],"data_offsets":[0,16]}}""", "negative dimension", DisplayName = "negative dimensions")]
    [DataRow("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[16,0]}}""", "data offsets", DisplayName = "offsets backwards")]
    [DataRow("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[9223372036854775807,16]}}""", "data offsets", DisplayName = "huge offset")]
    [DataRow("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,1e30]}}""", "whole numbers that fit 64 bits", DisplayName = "offset past 64 bits")]
    [DataRow("""{"w":{"dtype":7,"shape":[4],"data_offsets":[0,16]}}""", "dtype must be a string", DisplayName = "dtype a number")]
    [DataRow("""{"w":{"dtype":"F32","data_offsets":[0,16]}}""", "shape must be an array", DisplayName = "no shape")]
    [DataRow("""{"w":{"dtype":"F32","shape":"4","data_offsets":[0,16]}}""", "shape must be an array", DisplayName = "shape a string")]
    [DataRow("""{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,16]}}""", "whole numbers", DisplayName = "fractional dimension")]
    [DataRow("""{"w":[1,2]}""", "must be described by an object", DisplayName = "tensor not an object")]
    [DataRow("""{"__metadata__":{"a":1}}""", "must be a string", DisplayName = "metadata not strings")]
    [DataRow("""[1,2,3]""", "not a JSON object", DisplayName = "header an array")]
    [DataRow("""{"w":{"dtype":"F64","shape":[4],"data_offsets":[0,16]}}""", "do not fit its size 32", DisplayName = "dtype that does not match the byte length")]
    public void HostileSafeTensorsHeadersAreRefusedNamingTheFile(string header, string message)
    {
        string path = WriteSafeTensors(header);
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFile.Read(path));
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void APtStorageThatDecompressesPastItsDeclaredSizeIsRefused()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-bomb").FullName;
        try
        {
            string honest = Path.Combine(dir, "honest.pt"), bomb = Path.Combine(dir, "bomb.pt");
            PyTorchCheckpoint.Write(honest, new Dictionary<string, CheckpointTensor> { ["w"] = CheckpointTensor.FromFloat32([4], [1, 2, 3, 4]) });
            Assert.HasCount(1, PyTorchCheckpoint.Read(honest).Tensors);

            // Rewrite the archive with the storage deflated from 16 + 1 MB bytes, then patch its declared size back to 16.
            const int Extra = 1 << 20;
            using (var source = ZipFile.OpenRead(honest))
            using (var target = ZipFile.Open(bomb, ZipArchiveMode.Create))
            {
                foreach (var entry in source.Entries)
                {
                    using var input = entry.Open();
                    var bytes = new byte[entry.Length];
                    input.ReadExactly(bytes);
                    bool storage = entry.FullName.EndsWith("/data/0", StringComparison.Ordinal);
                    using var output = target.CreateEntry(entry.FullName, storage ? CompressionLevel.Optimal : CompressionLevel.NoCompression).Open();
                    output.Write(bytes);
                    if (storage) output.Write(new byte[Extra]);
                }
            }
            var file = File.ReadAllBytes(bomb);
            int patched = 0;
            for (int i = 0; i + 30 < file.Length; i++)
            {
                uint signature = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(i));
                int sizeAt = signature == 0x04034b50 ? i + 22 : signature == 0x02014b50 ? i + 24 : -1;
                if (sizeAt >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(sizeAt)) == 16 + Extra)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(sizeAt), 16);
                    patched++;
                }
            }
            Assert.AreEqual(2, patched, "the local and central headers both declare 16 bytes");
            File.WriteAllBytes(bomb, file);

            var e = Assert.ThrowsExactly<InvalidDataException>(() => PyTorchCheckpoint.Read(bomb));
            StringAssert.Contains(e.Message, bomb);
            StringAssert.Contains(e.Message, "data/0");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void APtStorageDeclaringMoreBytesThanItsElementsIsRefusedBeforeReading()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-big").FullName;
        try
        {
            string honest = Path.Combine(dir, "honest.pt"), padded = Path.Combine(dir, "padded.pt");
            PyTorchCheckpoint.Write(honest, new Dictionary<string, CheckpointTensor> { ["w"] = CheckpointTensor.FromFloat32([4], [1, 2, 3, 4]) });
            using (var source = ZipFile.OpenRead(honest))
            using (var target = ZipFile.Open(padded, ZipArchiveMode.Create))
            {
                foreach (var entry in source.Entries)
                {
                    using var input = entry.Open();
                    var bytes = new byte[entry.Length];
                    input.ReadExactly(bytes);
                    using var output = target.CreateEntry(entry.FullName, CompressionLevel.Optimal).Open();
                    output.Write(bytes);
                    if (entry.FullName.EndsWith("/data/0", StringComparison.Ordinal)) output.Write(new byte[1 << 24]);
                }
            }
            var e = Assert.ThrowsExactly<InvalidDataException>(() => PyTorchCheckpoint.Read(padded));
            StringAssert.Contains(e.Message, padded);
            StringAssert.Contains(e.Message, "needs 16");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
