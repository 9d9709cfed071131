using System.Diagnostics;
using System.Text;
using DitML.Checkpoints;

namespace DitML.Runtime.Tests.Checkpoints;

/// <summary><see cref="CheckpointFile.Open"/>: the same tensors as <see cref="CheckpointFile.Read"/>, read only when asked for.</summary>
[TestClass]
public sealed class DeferredCheckpointTests
{
    private static void AssertSameTensors(CheckpointContents read, CheckpointContents opened, bool deferred)
    {
        CollectionAssert.AreEqual(read.Tensors.Keys.ToList(), opened.Tensors.Keys.ToList(), "same names, same order");
        foreach (var (name, t) in read.Tensors)
        {
            var o = opened.Tensors[name];
            Assert.AreEqual(deferred, o.IsDeferred, name);
            Assert.AreEqual(t.DType, o.DType, name);
            CollectionAssert.AreEqual(t.Shape, o.Shape, name);
            Assert.AreEqual(t.Data.LongLength, o.ByteCount, name);
            CollectionAssert.AreEqual(t.Data, o.Data, name);
        }
        CollectionAssert.AreEquivalent(read.Metadata.ToList(), opened.Metadata.ToList());
        Assert.AreEqual(read.SelectedEntry, opened.SelectedEntry);
    }

    [TestMethod]
    [DataRow("dtypes.pt", true)]            // torch.save's zip: every dtype, a transposed view, two views of one storage, a scalar
    [DataRow("small.safetensors", true)]
    [DataRow("dtypes-legacy.pt", false)]    // the pre-1.6 format is read at once
    public void OpenGivesWhatReadGives(string fixture, bool deferred)
    {
        string path = Fixture.Path("checkpoints", fixture);
        AssertSameTensors(CheckpointFile.Read(path), CheckpointFile.Open(path), deferred);
    }

    [TestMethod]
    [DataRow(CheckpointWeights.Auto)]
    [DataRow(CheckpointWeights.Model)]
    public void ATrainingCheckpointOpensTheSelectedWeightsAndNeverReadsTheRest(CheckpointWeights weights)
    {
        string path = Path.GetTempFileName() + ".safetensors";
        try
        {
            var tensors = new Dictionary<string, CheckpointTensor>();
            foreach (var entry in new[] { "model", "ema", "opt" })
                for (int i = 0; i < 3; i++)
                    tensors[$"{entry}.w{i}"] = CheckpointTensor.FromFloat32([4], [i, entry.Length, 1, 2]);
            SafeTensorsFile.Write(path, tensors);
            var read = CheckpointFile.Read(path, weights);
            var opened = CheckpointFile.Open(path, weights);
            AssertSameTensors(read, opened, deferred: true);
            string keep = weights == CheckpointWeights.Model ? "model" : "ema";
            // Overwrite every byte outside the selected tensors: what is read afterwards is still right.
            var table = SafeTensorsTable(path);
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
            {
                foreach (var (name, (begin, end)) in table.Ranges.Where(r => !r.Key.StartsWith(keep + ".", StringComparison.Ordinal)))
                {
                    file.Position = table.DataStart + begin;
                    file.Write(Enumerable.Repeat((byte)0xFF, (int)(end - begin)).ToArray());
                }
            }
            foreach (var (name, t) in opened.Tensors)
                CollectionAssert.AreEqual(tensors[keep + "." + name].Data, t.Data, name);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void OpeningAFileLargerThanMemoryWouldHoldReadsNoTensorBytes()
    {
        // A sparse file declaring a 1.5 GB tensor: Open reads the header only (Read would allocate 1.5 GB).
        string path = Path.GetTempFileName() + ".safetensors";
        try
        {
            const long elements = 375_000_000;
            var header = Encoding.UTF8.GetBytes($"{{\"big\":{{\"dtype\":\"F32\",\"shape\":[{elements}],\"data_offsets\":[0,{elements * 4}]}}}}");
            using (var file = File.Create(path))
            {
                file.Write(BitConverter.GetBytes((ulong)header.Length));
                file.Write(header);
                file.SetLength(8 + header.Length + elements * 4);
            }
            using var process = Process.GetCurrentProcess();
            GC.Collect();
            process.Refresh();
            long before = process.WorkingSet64;
            var contents = CheckpointFile.Open(path);
            process.Refresh();
            Assert.AreEqual(elements, contents.Tensors["big"].ElementCount);
            Assert.AreEqual(elements * 4, contents.Tensors["big"].ByteCount);
            Assert.IsLessThan(200_000_000L, process.WorkingSet64 - before, "opening read no tensor bytes");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow("small.safetensors")]
    [DataRow("dtypes.pt")]
    public void AFileTruncatedAfterOpeningIsAClearErrorWhenATensorIsRead(string fixture)
    {
        string path = Path.GetTempFileName() + Path.GetExtension(fixture);
        try
        {
            File.Copy(Fixture.Path("checkpoints", fixture), path, overwrite: true);
            var opened = CheckpointFile.Open(path);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => opened.Tensors.Values.Select(t => t.Data).ToList());
            StringAssert.Contains(e.Message, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ConvertingAnOpenedFileWritesTheSameBytesAsConvertingARead()
    {
        string source = Fixture.Path("checkpoints", "dtypes.pt");
        string viaOpen = Path.GetTempFileName() + ".safetensors", viaRead = Path.GetTempFileName() + ".safetensors";
        try
        {
            CheckpointFile.Convert(source, viaOpen);                          // Convert opens (deferred)
            var read = CheckpointFile.Read(source);
            SafeTensorsFile.Write(viaRead, read.Tensors, read.Metadata);
            CollectionAssert.AreEqual(File.ReadAllBytes(viaRead), File.ReadAllBytes(viaOpen));
        }
        finally
        {
            File.Delete(viaOpen);
            File.Delete(viaRead);
        }
    }

    /// <summary>Each tensor's byte range in a safetensors file and where its data starts (read independently of the reader under test).</summary>
    private static (long DataStart, Dictionary<string, (long Begin, long End)> Ranges) SafeTensorsTable(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long length = BitConverter.ToInt64(bytes, 0);
        using var doc = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(8, (int)length));
        var ranges = doc.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToDictionary(p => p.Name, p =>
        {
            var o = p.Value.GetProperty("data_offsets");
            return (o[0].GetInt64(), o[1].GetInt64());
        });
        return (8 + length, ranges);
    }
}
