using System.IO.Compression;
using System.Text.Json;
using DitML.Data;
using DitML.Imaging;
using DitML.Runtime.Tests.Imaging;

namespace DitML.Runtime.Tests.Data;

[TestClass]
public sealed class IdxDatasetTests
{
    private static string IdxFolder => DataFixtures.Path_("idx");

    [TestMethod]
    [DataRow(IdxSplit.Train, "train", DisplayName = "gzip-compressed train split")]
    [DataRow(IdxSplit.Test, "t10k", DisplayName = "uncompressed test split")]
    public void ReadsTheFixtureFiles(IdxSplit split, string key)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(IdxFolder, "idx.json")));
        var expected = doc.RootElement.GetProperty(key);
        var labels = expected.GetProperty("labels").EnumerateArray().Select(e => (byte)e.GetInt32()).ToArray();
        var images = expected.GetProperty("images").EnumerateArray().SelectMany(i => i.EnumerateArray().Select(e => (byte)e.GetInt32())).ToArray();

        var ds = IdxDataset.Load(IdxFolder, split);
        Assert.AreEqual(labels.Length, ds.Count);
        Assert.AreEqual(4, ds.Height, "rows");
        Assert.AreEqual(3, ds.Width, "columns");
        Assert.AreEqual(1, ds.Channels);
        Assert.AreEqual(10, ds.ClassCount, "label 9 occurs, so classes 0…9");
        CollectionAssert.AreEqual(labels, ds.Labels);
        CollectionAssert.AreEqual(images, ds.Images);

        var (pixels, label) = ds.GetItem(1);
        Assert.AreEqual((int)labels[1], label);
        Assert.HasCount(12, pixels);
        for (int i = 0; i < 12; i++) Assert.AreEqual(images[12 + i] / 127.5f - 1f, pixels[i]);
        CollectionAssert.AreEqual(images[12..24], ds.GetByteImage(1).Pixels);
        var all = ds.ToFloatArray();
        Assert.AreEqual(pixels[5], all[12 + 5]);
    }

    [TestMethod]
    public void MissingFolderAndFilesAreNamed()
    {
        var missing = Path.Combine(Path.GetTempPath(), "ditml-absent-" + Guid.NewGuid().ToString("N"));
        var e1 = Assert.ThrowsExactly<DirectoryNotFoundException>(() => IdxDataset.Load(missing, IdxSplit.Train));
        StringAssert.Contains(e1.Message, missing);

        using var dirTemp = DataFixtures.NewTempFolder();
        var dir = dirTemp.Path;
        File.Copy(Path.Combine(IdxFolder, "train-images-idx3-ubyte.gz"), Path.Combine(dir, "train-images-idx3-ubyte.gz"));
        var e2 = Assert.ThrowsExactly<FileNotFoundException>(() => IdxDataset.Load(dir, IdxSplit.Train));
        StringAssert.Contains(e2.Message, "train-labels-idx1-ubyte");
    }

    [TestMethod]
    public void SwappedFilesFailOnTheMagicNumber()
    {
        var labels = Path.Combine(IdxFolder, "t10k-labels-idx1-ubyte");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxDataset.LoadFiles(labels, labels));
        StringAssert.Contains(e.Message, labels);
        StringAssert.Contains(e.Message, "0x00000801");
        StringAssert.Contains(e.Message, "0x00000803");
    }

    [TestMethod]
    public void TruncatedAndOverlongFilesAreRejected()
    {
        using var dirTemp = DataFixtures.NewTempFolder();
        var dir = dirTemp.Path;
        var bytes = File.ReadAllBytes(Path.Combine(IdxFolder, "t10k-images-idx3-ubyte"));
        var cut = Path.Combine(dir, "cut-idx3-ubyte");
        File.WriteAllBytes(cut, bytes[..^5]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.Read(cut, 3));
        StringAssert.Contains(e.Message, cut);
        StringAssert.Contains(e.Message, "truncated");
        StringAssert.Contains(e.Message, "3×4×3 = 36 bytes");

        var header = Path.Combine(dir, "header-idx3-ubyte");
        File.WriteAllBytes(header, bytes[..9]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.Read(header, 3)).Message, "header");

        var longer = Path.Combine(dir, "long-idx3-ubyte");
        File.WriteAllBytes(longer, [.. bytes, 1, 2]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.Read(longer, 3)).Message, "after");

        // A gzip stream cut short: the decompressor's error gains the file name.
        var gz = File.ReadAllBytes(Path.Combine(IdxFolder, "train-images-idx3-ubyte.gz"));
        var gzCut = Path.Combine(dir, "cut.gz");
        File.WriteAllBytes(gzCut, gz[..(gz.Length / 2)]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.Read(gzCut, 3)).Message, gzCut);
    }

    [TestMethod]
    public void DifferentImageAndLabelCountsAreRejected()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxDataset.LoadFiles(
            Path.Combine(IdxFolder, "train-images-idx3-ubyte.gz"), Path.Combine(IdxFolder, "t10k-labels-idx1-ubyte")));
        StringAssert.Contains(e.Message, "5 images");
        StringAssert.Contains(e.Message, "3 labels");
    }

    [TestMethod]
    public void GzipIsDetectedByContentNotName()
    {
        using var dirTemp = DataFixtures.NewTempFolder();
        var dir = dirTemp.Path;
        var raw = File.ReadAllBytes(Path.Combine(IdxFolder, "t10k-labels-idx1-ubyte"));
        var path = Path.Combine(dir, "labels-without-gz-suffix");
        using (var f = File.Create(path))
        using (var g = new GZipStream(f, CompressionLevel.Optimal))
            g.Write(raw);
        CollectionAssert.AreEqual(raw[8..], IdxFile.Read(path, 1).Data);
        CollectionAssert.AreEqual(new[] { 3 }, IdxFile.Read(path, 1).Dimensions);
    }

    [TestMethod]
    public void LabelsBeyondTheClassNamesAreRejected()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxDataset.Load(IdxFolder, IdxSplit.Train, ["a", "b"]));
        StringAssert.Contains(e.Message, "label 9");
    }

    [TestMethod]
    public void ItemsRejectBadIndicesAndBuffers()
    {
        var ds = IdxDataset.Load(IdxFolder, IdxSplit.Test);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ds.GetLabel(3));
        Assert.ThrowsExactly<ArgumentException>(() => ds.CopyImage(0, new float[11]));
        Assert.AreEqual(PixelConversion.ToFloat(ds.Images[0]), ds.GetItem(0).Pixels[0]);
    }
}
