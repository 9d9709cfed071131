using System.IO.Compression;
using DitML.Checkpoints;
using DitML.Dit;
using DitML.Models;
using DitML.Numpy;
using static TorchSharp.torch;

namespace DitML.Cli.Tests.Commands;

/// <summary>`ditml sample` as FID runs use it: streamed .npz, optional grid, shards and `ditml merge-npz`, early refusals.</summary>
[TestClass]
public sealed class SampleAtScaleTests
{
    private static string dir = "";
    private static string onnx = "";

    [ClassInitialize]
    public static void Export(TestContext _)
    {
        dir = Directory.CreateTempSubdirectory("ditml-cli-scale-").FullName;
        manual_seed(1);
        using var model = new DiT(new DiTConfig { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 3 });
        using (no_grad()) foreach (var (name, p) in model.named_parameters()) if (name != "pos_embed") p.normal_(0, 0.05);
        string checkpoint = Path.Combine(dir, "tiny.safetensors");
        DiTCheckpoint.Save(checkpoint, model);
        onnx = Path.Combine(dir, "tiny.onnx");
        var (code, _, error) = CliRunner.Run("export-onnx", "--checkpoint", checkpoint, "--out", onnx);
        Assert.AreEqual(0, code, error);
    }

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(dir, recursive: true);

    private static string[] Sample(params string[] extra) =>
        ["sample", "--model", onnx, "--classes", "0,1,2", "--per-class", "5", "--seed", "9", "--sampler", "ddim", "--steps", "2", "--batch", "4", .. extra];

    private static void AssertNoPartialFiles() =>
        Assert.IsEmpty(Directory.GetFiles(dir, "*.partial", SearchOption.AllDirectories), "nothing half-written is left");

    [TestMethod]
    public void ShardsMergeIntoTheUnshardedNpzByteForByte()
    {
        string whole = Path.Combine(dir, "whole.npz");
        var (code, output, error) = CliRunner.Run(Sample("--npz", whole));
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "arr_0 uint8 (15, 8, 8, 1)");
        var arrays = NpyArray.ReadNpz(whole);
        CollectionAssert.AreEqual(new[] { "arr_0" }, arrays.Keys.ToArray(), "the unsharded file holds arr_0 alone (the ADM layout)");
        CollectionAssert.AreEqual(new long[] { 15, 8, 8, 1 }, arrays["arr_0"].Shape);

        var shards = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            string shard = Path.Combine(dir, $"shard{i}.npz");
            (code, output, error) = CliRunner.Run(Sample("--npz", shard, "--shard", $"{i}/3"));
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, $"shard {i}/3");
            shards.Add(shard);
        }
        string merged = Path.Combine(dir, "merged.npz");
        (code, output, error) = CliRunner.Run(["merge-npz", "--out", merged, shards[2], shards[0], shards[1]]);
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "from 3 shards");
        CollectionAssert.AreEqual(File.ReadAllBytes(whole), File.ReadAllBytes(merged), "the merged shards are the unsharded run");

        (code, _, error) = CliRunner.Run(["merge-npz", "--out", Path.Combine(dir, "gap.npz"), shards[0], shards[2]]);
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "missing: 1");
        (code, _, error) = CliRunner.Run(["merge-npz", "--out", Path.Combine(dir, "not.npz"), whole]);
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "not a shard");
        Assert.IsFalse(File.Exists(Path.Combine(dir, "gap.npz")));
        AssertNoPartialFiles();
    }

    [TestMethod]
    public void TheGridIsOptionalAndItsRowsAreChosen()
    {
        string npz = Path.Combine(dir, "only.npz"), png = Path.Combine(dir, "one-row.png"), full = Path.Combine(dir, "full.png");
        var (code, _, error) = CliRunner.Run(Sample("--npz", npz));
        Assert.AreEqual(0, code, error);
        Assert.IsEmpty(Directory.GetFiles(dir, "only*.png"), "no --out, no grid");

        (code, var output, error) = CliRunner.Run(Sample("--out", png, "--grid", "1"));
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "1 classes × 5 images");
        using (var bitmap = SkiaSharp.SKBitmap.Decode(png))
            Assert.AreEqual((5 * 10 + 2, 1 * 10 + 2), (bitmap.Width, bitmap.Height), "1 row of 5 8-px images with 2-px padding");

        // The grid drawn alongside the .npz shows the same images as the grid drawn alone.
        (code, _, error) = CliRunner.Run(Sample("--out", full, "--npz", Path.Combine(dir, "with-grid.npz")));
        Assert.AreEqual(0, code, error);
        string alone = Path.Combine(dir, "alone.png");
        Assert.AreEqual(0, CliRunner.Run(Sample("--out", alone)).ExitCode);
        CollectionAssert.AreEqual(File.ReadAllBytes(full), File.ReadAllBytes(alone));
    }

    [TestMethod]
    [DataRow("--per-class", "9000000000000", "GB", DisplayName = "more images than the disk holds")]
    [DataRow("--per-class", "4000000000000000000", "more than a run can count", DisplayName = "a count past 64 bits")]
    [DataRow("--cfg", "Infinity", "--cfg must be a finite number", DisplayName = "cfg +Infinity")]
    [DataRow("--cfg", "-Infinity", "--cfg must be a finite number", DisplayName = "cfg -Infinity")]
    [DataRow("--classes", "1,,2", "empty entry", DisplayName = "classes 1,,2")]
    [DataRow("--classes", "1,2,", "empty entry", DisplayName = "classes with a trailing comma")]
    [DataRow("--shard", "3/3", "--shard must be I/N", DisplayName = "shard index past the count")]
    public void ImpossibleRequestsAreRefusedBeforeSampling(string option, string value, string message)
    {
        string npz = Path.Combine(dir, $"refused-{Guid.NewGuid():N}.npz");
        var args = Sample("--npz", npz).ToList();
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, value]);
        var (code, _, error) = CliRunner.Run([.. args]);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, message);
        Assert.IsFalse(File.Exists(npz));
        AssertNoPartialFiles();
    }

    [TestMethod]
    public void OutputsAreCheckedBeforeSampling()
    {
        string same = Path.Combine(dir, "same.npz");
        var (code, _, error) = CliRunner.Run(Sample("--npz", same, "--out", same));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "are the same file");

        (code, _, error) = CliRunner.Run(Sample("--npz", Path.Combine(dir, "no-such-dir", "x.npz")));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "no-such-dir");

        string npz = Path.Combine(dir, "good.npz");
        (code, _, error) = CliRunner.Run(Sample("--npz", npz, "--out", Path.Combine(dir, "no-such-dir", "grid.png")));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "cannot be written");
        Assert.IsFalse(File.Exists(npz), "the .npz is not written when the grid cannot be");

        (code, _, error) = CliRunner.Run(Sample("--out", Path.Combine(dir, "g.png"), "--shard", "0/2"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "--shard writes its rows to --npz");
        AssertNoPartialFiles();
    }

    [TestMethod]
    public void TheStreamingWriterRefusesAShortFileAndLeavesNothing()
    {
        string path = Path.Combine(dir, "short.npz");
        using (var writer = new NpzImageWriter(path, 3, 2, 2, 1))
        {
            writer.Write(new byte[8]);
            Assert.ThrowsExactly<InvalidOperationException>(writer.Complete);
        }
        Assert.IsFalse(File.Exists(path));
        Assert.IsFalse(File.Exists(path + ".partial"));
    }
}
