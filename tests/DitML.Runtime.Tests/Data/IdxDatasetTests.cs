using System.Buffers.Binary;
using System.IO.Compression;
using DitML.Data;

namespace DitML.Runtime.Tests.Data;

[TestClass]
public sealed class IdxDatasetTests
{
    /// <summary>Writes a tiny IDX split (gzipped) into a folder: n images of h×w with pixel = (i + r·w + c) mod 256.</summary>
    internal static string WriteTiny(int n = 5, int h = 4, int w = 4, bool truncateImages = false)
    {
        string dir = Directory.CreateTempSubdirectory("ditml-idx-").FullName;
        var images = new byte[16 + n * h * w];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), h);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), w);
        for (int i = 0; i < n * h * w; i++) images[16 + i] = (byte)(i % 256);
        var labels = new byte[8 + n];
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), n);
        for (int i = 0; i < n; i++) labels[8 + i] = (byte)(i % 3);
        Gzip(Path.Combine(dir, "train-images-idx3-ubyte.gz"), truncateImages ? images[..^3] : images);
        Gzip(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), labels);
        return dir;
    }

    private static void Gzip(string path, byte[] bytes)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(bytes);
    }

    [TestMethod]
    public void ReadsImagesAndLabels()
    {
        string dir = WriteTiny();
        try
        {
            var d = IdxDataset.Load(dir);
            Assert.AreEqual((5, 3, 1, 4, 4), (d.Count, d.ClassCount, d.Channels, d.Height, d.Width));
            var pixels = new float[16];
            Assert.AreEqual(2, d.Read(2, pixels));
            Assert.AreEqual(32 / 127.5f - 1f, pixels[0], 1e-6f);               // image 2 starts at byte 32
            Assert.AreEqual(47 / 127.5f - 1f, pixels[15], 1e-6f);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TruncatedFileIsNamed()
    {
        string dir = WriteTiny(truncateImages: true);
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxDataset.Load(dir));
            StringAssert.Contains(e.Message, "train-images-idx3-ubyte.gz");
            StringAssert.Contains(e.Message, "truncated");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void MissingFolderAndFileAreNamed()
    {
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => IdxDataset.Load("/no/such/folder"));
        string dir = Directory.CreateTempSubdirectory("ditml-idx-").FullName;
        try
        {
            var e = Assert.ThrowsExactly<FileNotFoundException>(() => IdxDataset.Load(dir, "t10k"));
            StringAssert.Contains(e.Message, "t10k-images-idx3-ubyte");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void RealFashionMnistWhenInstalled()
    {
        if (!Directory.Exists(FashionMnist.DefaultDirectory))
            Assert.Inconclusive($"skipped: {FashionMnist.DefaultDirectory} is absent (apt-get install dataset-fashion-mnist; .ci/run does)");
        var train = FashionMnist.Load("train");
        var test = FashionMnist.Load("t10k");
        Assert.AreEqual((60000, 10000, 10, 28, 28), (train.Count, test.Count, train.ClassCount, train.Height, train.Width));
        var histogram = new int[10];
        for (int i = 0; i < test.Count; i++) histogram[test.Label(i)]++;
        CollectionAssert.AreEqual(Enumerable.Repeat(1000, 10).ToArray(), histogram, "the test set is balanced");
    }

    [TestMethod]
    public void BatchScheduleCoversEachEpochOnceAndDependsOnlyOnTheStep()
    {
        var a = new BatchSchedule(10, seed: 4);
        var seen = new List<int>();
        var batch = new int[5];
        for (int step = 0; step < 2; step++)
        {
            a.Indices(step, batch);
            seen.AddRange(batch);
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).ToList(), seen, "one epoch visits every item once");
        var b = new BatchSchedule(10, seed: 4);
        var again = new int[5];
        b.Indices(1, again);
        CollectionAssert.AreEqual(seen.Skip(5).ToArray(), again, "a fresh schedule gives step 1 the same batch");
    }
}
