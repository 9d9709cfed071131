using System.Text.Json;
using DitML.Checkpoints;

namespace DitML.Runtime.Tests.Checkpoints;

[TestClass]
public sealed class SafeTensorsFileTests
{
    [TestMethod]
    public void ReadsAFileWrittenPerTheSpec()
    {
        var contents = SafeTensorsFile.Read(Fixture.Path("checkpoints", "small.safetensors"));
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture.Path("checkpoints", "small_safetensors.json")));
        CollectionAssert.AreEqual(doc.RootElement.GetProperty("a").EnumerateArray().Select(x => x.GetSingle()).ToArray(), contents.Tensors["a"].ToFloat32());
        CollectionAssert.AreEqual(doc.RootElement.GetProperty("b").EnumerateArray().Select(x => x.GetSingle()).ToArray(), contents.Tensors["b"].ToFloat32());
        CollectionAssert.AreEqual(new long[] { 2, 3 }, contents.Tensors["a"].Shape);
        Assert.AreEqual(TensorDType.Float16, contents.Tensors["b"].DType);
        Assert.AreEqual("pt", contents.Metadata["format"]);
    }

    [TestMethod]
    public void RoundTripKeepsOrderValuesAndMetadata()
    {
        var original = PyTorchCheckpoint.Read(Fixture.Path("checkpoints", "dtypes.pt")).Tensors;
        string path = System.IO.Path.GetTempFileName();
        try
        {
            SafeTensorsFile.Write(path, original, new Dictionary<string, string> { ["ditml.config"] = "{\"depth\":2}" });
            var bytes = File.ReadAllBytes(path);
            Assert.AreEqual(0, (8 + BitConverter.ToInt64(bytes, 0)) % 8, "data aligned to 8 bytes");
            var back = SafeTensorsFile.Read(path);
            CollectionAssert.AreEqual(original.Keys.ToList(), back.Tensors.Keys.ToList());
            foreach (var (k, v) in original)
            {
                Assert.AreEqual(v.DType, back.Tensors[k].DType);
                CollectionAssert.AreEqual(v.Data, back.Tensors[k].Data, k);
            }
            Assert.AreEqual("{\"depth\":2}", back.Metadata["ditml.config"]);
            CollectionAssert.AreEquivalent(back.Metadata.ToList(), SafeTensorsFile.ReadMetadata(path).ToList(), "the header alone gives the same metadata");
            File.WriteAllBytes(path, bytes[..20]);
            Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFile.ReadMetadata(path), "a truncated header is refused");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TruncatedDataNamesTheTensor()
    {
        string path = System.IO.Path.GetTempFileName();
        try
        {
            var bytes = File.ReadAllBytes(Fixture.Path("checkpoints", "small.safetensors"));
            File.WriteAllBytes(path, bytes[..^4]);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFile.Read(path));
            StringAssert.Contains(e.Message, "'b'");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void HeaderLongerThanTheFileIsRefused()
    {
        string path = System.IO.Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [255, 0, 0, 0, 0, 0, 0, 0, (byte)'{']);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFile.Read(path));
            StringAssert.Contains(e.Message, "header length");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ConvertBetweenFormatsKeepsNamesAndValues()
    {
        string st = System.IO.Path.GetTempFileName() + ".safetensors", pt = System.IO.Path.GetTempFileName() + ".pt";
        try
        {
            Assert.AreEqual(9, CheckpointFile.Convert(Fixture.Path("checkpoints", "dtypes.pt"), st));
            Assert.AreEqual(CheckpointFormat.SafeTensors, CheckpointFile.DetectFormat(st));
            CheckpointFile.Convert(st, pt);
            Assert.AreEqual(CheckpointFormat.PyTorch, CheckpointFile.DetectFormat(pt));
            var a = CheckpointFile.Read(Fixture.Path("checkpoints", "dtypes.pt")).Tensors;
            var b = CheckpointFile.Read(pt).Tensors;
            foreach (var (k, v) in a) CollectionAssert.AreEqual(v.Data, b[k].Data, k);
        }
        finally
        {
            File.Delete(st);
            File.Delete(pt);
        }
    }
}
