using DitML.Data;
using DitML.Imaging;
using DitML.Runtime.Tests.Imaging;

namespace DitML.Runtime.Tests.Data;

[TestClass]
public sealed class ImageFolderDatasetTests
{
    private static string Folder => DataFixtures.Path_("folder");

    [TestMethod]
    public void ClassesAndFilesAreOrderedLikeTorchvision()
    {
        var ds = ImageFolderDataset.Open(Folder, new ImageFolderOptions { ImageSize = 16 });
        // Ordinal: upper case sorts before lower case. notes.txt is not an image; cat/sub comes after cat's own files.
        CollectionAssert.AreEqual(new[] { "Zebra", "cat", "dog" }, ds.ClassNames.ToArray());
        var relative = ds.Samples.Select(s => Path.GetRelativePath(Folder, s.Path).Replace('\\', '/')).ToArray();
        CollectionAssert.AreEqual(new[]
        {
            "Zebra/e_rgba_64x64.png", "Zebra/f_70x40.jpg",
            "cat/a_50x37.png", "cat/z_200x150.png", "cat/sub/b_90x64.png",
            "dog/c_37x50.png", "dog/d_gray_33x40.png",
        }, relative);
        CollectionAssert.AreEqual(new[] { 0, 0, 1, 1, 1, 2, 2 }, ds.Samples.Select(s => s.Label).ToArray());
        Assert.AreEqual(7, ds.Count);
        Assert.AreEqual(3, ds.ClassCount);
        Assert.AreEqual(3, ds.Channels);
        Assert.AreEqual(16, ds.Height);
    }

    [TestMethod]
    [DataRow(3, "rgb16")]
    [DataRow(1, "l16")]
    public void ItemsArePillowsCropScaledToPlusMinusOne(int channels, string suffix)
    {
        var ds = ImageFolderDataset.Open(Folder, new ImageFolderOptions { ImageSize = 16, Channels = channels });
        for (int i = 0; i < ds.Count; i++)
        {
            var path = ds.Samples[i].Path;
            if (path.EndsWith(".jpg")) continue; // decoder differences: covered with a tolerance in DiTCenterCropTests
            var stem = Path.GetRelativePath(Folder, path).Replace('\\', '/').Replace('/', '_')[..^4];
            var expectedHwc = DataFixtures.Expected($"{stem}.{suffix}.bin");
            var expected = new float[expectedHwc.Length];
            PixelConversion.HwcBytesToChw(expectedHwc, expected, channels, 16, 16);
            var (pixels, label) = ds.GetItem(i);
            Assert.AreEqual(ds.Samples[i].Label, label);
            CollectionAssert.AreEqual(expected, pixels, stem);
        }
    }

    [TestMethod]
    public void CachedItemsEqualFreshOnes()
    {
        var fresh = ImageFolderDataset.Open(Folder, new ImageFolderOptions { ImageSize = 8 });
        var cached = ImageFolderDataset.Open(Folder, new ImageFolderOptions { ImageSize = 8, CacheImages = true });
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < fresh.Count; i++)
                CollectionAssert.AreEqual(fresh.GetItem(i).Pixels, cached.GetItem(i).Pixels, $"item {i}, pass {pass}");
    }

    [TestMethod]
    public void MissingRootAndMissingClassesAreErrors()
    {
        var root = Path.Combine(Path.GetTempPath(), "ditml-absent-" + Guid.NewGuid().ToString("N"));
        StringAssert.Contains(Assert.ThrowsExactly<DirectoryNotFoundException>(() => ImageFolderDataset.Open(root)).Message, root);

        using var flatTemp = DataFixtures.NewTempFolder();
        var flat = flatTemp.Path;
        File.Copy(Path.Combine(Folder, "cat", "a_50x37.png"), Path.Combine(flat, "a.png"));
        Directory.CreateDirectory(Path.Combine(flat, ".hidden"));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolderDataset.Open(flat));
        StringAssert.Contains(e.Message, "no class subfolders");
    }

    [TestMethod]
    public void ClassFolderWithoutImagesIsNamed()
    {
        using var copy = CopyOfFixture();
        var root = copy.Path;
        var empty = Path.Combine(root, "empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "readme.txt"), "no pictures here");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolderDataset.Open(root));
        StringAssert.Contains(e.Message, empty);
        StringAssert.Contains(e.Message, ".png");
    }

    [TestMethod]
    public void NonImageWithImageNameFailsOnOpen()
    {
        using var copy = CopyOfFixture();
        var root = copy.Path;
        var fake = Path.Combine(root, "dog", "fake.png");
        File.WriteAllText(fake, "this is text");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolderDataset.Open(root));
        StringAssert.Contains(e.Message, fake);
    }

    [TestMethod]
    public void TruncatedImageFailsWhenReadNamingIt()
    {
        using var copy = CopyOfFixture();
        var root = copy.Path;
        var victim = Path.Combine(root, "cat", "a_50x37.png");
        var bytes = File.ReadAllBytes(victim);
        File.WriteAllBytes(victim, bytes[..(bytes.Length * 2 / 3)]); // header intact: passes the open-time check
        var ds = ImageFolderDataset.Open(root, new ImageFolderOptions { ImageSize = 16 });
        int index = ds.Samples.Select(s => s.Path).ToList().IndexOf(victim);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ds.GetItem(index));
        StringAssert.Contains(e.Message, victim);

        // Reading a batch that holds it surfaces the same error, naming the file.
        var batch = new float[ds.Count * ds.Channels * 16 * 16];
        var all = Enumerable.Range(0, ds.Count).ToArray();
        var inBatch = Assert.ThrowsExactly<InvalidDataException>(() => ds.CopyImages(all, batch));
        StringAssert.Contains(inBatch.Message, victim);
    }

    [TestMethod]
    public void BadOptionsNameTheSetting()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ImageFolderDataset.Open(Folder, new ImageFolderOptions { Channels = 2 }));
        StringAssert.Contains(e.Message, "Channels");
    }

    [TestMethod]
    public void BatchesOfFolderImagesHaveTheDatasetShape()
    {
        var ds = ImageFolderDataset.Open(Folder, new ImageFolderOptions { ImageSize = 16, CacheImages = true });
        var indices = new int[3];
        new BatchSchedule(ds.Count, seed: 5).Indices(0, indices);
        var batch = new float[3 * 768];
        ds.CopyImages(indices, batch);
        for (int k = 0; k < 3; k++)
            CollectionAssert.AreEqual(ds.GetItem(indices[k]).Pixels, batch.AsSpan(k * 768, 768).ToArray(), $"item {k} of the batch");
        Assert.ThrowsExactly<ArgumentException>(() => ds.CopyImages(indices, new float[2 * 768]));
    }

    private static DataFixtures.TempFolder CopyOfFixture()
    {
        var temp = DataFixtures.NewTempFolder();
        var root = temp.Path;
        foreach (var file in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return temp;
    }
}
