using DitML.ML.Generation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Tests.Generation;

[TestClass]
public sealed class DiffusionGenerateTests
{
    private sealed class Request
    {
        public long Label { get; set; }
        public long Seed { get; set; }
        public string Note { get; set; } = "";
    }

    private sealed class Generated
    {
        public long Label { get; set; }
        [VectorType(1, 4, 4)] public float[] Pixels { get; set; } = [];
        [Microsoft.ML.Transforms.Image.ImageType(4, 4)] public MLImage? Image { get; set; }
        public string Note { get; set; } = "";
    }

    private static IDataView Requests(MLContext ml, int n) =>
        ml.Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(i => new Request { Label = i % 10, Seed = 100 + i, Note = $"row{i}" }));

    [TestMethod]
    public void GeneratesLazilyInBatchesAndKeepsInputColumns()
    {
        var ml = new MLContext(seed: 0);
        var generator = new RecordingGenerator();
        var model = ml.Transforms.DiffusionGenerate(generator, new DiffusionGenerateOptions { BatchSize = 4 }).Fit(Requests(ml, 10));
        var output = model.Transform(Requests(ml, 10));
        Assert.IsEmpty(generator.Calls, "nothing is generated before a cursor reads");

        var rows = ml.Data.CreateEnumerable<Generated>(output, reuseRowObject: false).ToList();
        Assert.HasCount(10, rows);
        CollectionAssert.AreEqual(new[] { 4, 4, 2 }, generator.Calls.Select(c => c.Labels.Length).ToArray());
        for (int i = 0; i < 10; i++)
        {
            Assert.AreEqual($"row{i}", rows[i].Note);
            for (int p = 0; p < 16; p++)
                Assert.AreEqual(Math.Clamp(RecordingGenerator.Pixel(i % 10, 100 + i, p), -1f, 1f), rows[i].Pixels[p]);
        }
    }

    [TestMethod]
    public void NothingIsGeneratedWhenOnlyInputColumnsAreRead()
    {
        var ml = new MLContext();
        var generator = new RecordingGenerator();
        var output = ml.Transforms.DiffusionGenerate(generator).Fit(Requests(ml, 5)).Transform(Requests(ml, 5));
        var notes = output.GetColumn<string>("Note").ToList();
        Assert.HasCount(5, notes);
        Assert.IsEmpty(generator.Calls);
    }

    [TestMethod]
    public void ImagesAreOpaqueClampedRgba()
    {
        var ml = new MLContext();
        var generator = new RecordingGenerator();
        var output = ml.Transforms.DiffusionGenerate(generator).Fit(Requests(ml, 3)).Transform(Requests(ml, 3));
        var row = ml.Data.CreateEnumerable<Generated>(output, reuseRowObject: false).Skip(2).First();
        using var image = row.Image!;
        Assert.AreEqual((4, 4, MLPixelFormat.Rgba32), (image.Width, image.Height, image.PixelFormat));
        // MLImage.Pixels needs SkiaSharp 3.119.0's GetPixelSpan, which the served 3.119.4 lacks: read a saved PNG instead.
        string path = Path.Combine(Path.GetTempPath(), $"ditml-{Guid.NewGuid():N}.png");
        image.Save(path);
        using var bitmap = SkiaSharp.SKBitmap.Decode(path);
        File.Delete(path);
        var bytes = new byte[16 * 4];
        for (int p = 0; p < 16; p++)
        {
            var c = bitmap.GetPixel(p % 4, p / 4);
            (bytes[4 * p], bytes[4 * p + 1], bytes[4 * p + 2], bytes[4 * p + 3]) = (c.Red, c.Green, c.Blue, c.Alpha);
        }
        for (int p = 0; p < 16; p++)
        {
            float x = RecordingGenerator.Pixel(2, 102, p);
            byte expected = (byte)Math.Clamp(127.5f * x + 128f, 0f, 255f);
            Assert.AreEqual(expected, bytes[4 * p], $"pixel {p} red");
            Assert.AreEqual(expected, bytes[4 * p + 2], "gray replicated to blue");
            Assert.AreEqual(255, bytes[4 * p + 3], "opaque");
        }
    }

    [TestMethod]
    public void PredictionEngineGeneratesOneRow()
    {
        var ml = new MLContext();
        var generator = new RecordingGenerator();
        var model = ml.Transforms.DiffusionGenerate(generator).Fit(Requests(ml, 1));
        var engine = ml.Model.CreatePredictionEngine<Request, Generated>(model);
        var a = engine.Predict(new Request { Label = 7, Seed = 5 });
        var b = engine.Predict(new Request { Label = 3, Seed = 9 });
        Assert.AreEqual(Math.Clamp(RecordingGenerator.Pixel(7, 5, 0), -1f, 1f), a.Pixels[0]);
        Assert.AreEqual(Math.Clamp(RecordingGenerator.Pixel(3, 9, 11), -1f, 1f), b.Pixels[11]);
        Assert.HasCount(2, generator.Calls, "one generation per prediction, though two generated columns were read");
    }

    [TestMethod]
    public void MissingColumnIsNamed()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new { Label = 1L } });
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.DiffusionGenerate(new RecordingGenerator()).Fit(data));
        StringAssert.Contains(e.Message, "'Seed'");
    }

    [TestMethod]
    public void LabelOutOfRangeIsRefusedNamingTheClass()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Request { Label = 12, Seed = 1 } });
        var output = ml.Transforms.DiffusionGenerate(new RecordingGenerator()).Fit(data).Transform(data);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => output.GetColumn<float[]>("Pixels").ToList());
        StringAssert.Contains(e.Message, "class 12");
    }

    private sealed class RawKey
    {
        [KeyType(10)] public uint Label { get; set; }
        public long Seed { get; set; }
    }

    [TestMethod]
    public void KeysWithoutValuesCountFromOne()
    {
        var ml = new MLContext();
        var keyed = ml.Data.LoadFromEnumerable(new[] { new RawKey { Label = 3, Seed = 4 }, new RawKey { Label = 1, Seed = 4 } });
        var generator = new RecordingGenerator();
        CollectionAssert.AreEqual(new uint[] { 4, 2 }, keyed.GetColumn<uint>("Label").ToArray(), "LoadFromEnumerable stores a key's 0-based index");
        var pixels = ml.Transforms.DiffusionGenerate(generator).Fit(keyed).Transform(keyed).GetColumn<float[]>("Pixels").ToList();
        CollectionAssert.AreEqual(new long[] { 3, 1 }, generator.Calls.Single().Labels, "key k is class k − 1");
        Assert.HasCount(2, pixels);
    }

    [TestMethod]
    public void TextKeysAreNeverMappedByKeyOrder()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new { Name = "b", Seed = 4L }, new { Name = "a", Seed = 4L } });
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "Name").Fit(data).Transform(data); // b → 1, a → 2
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.DiffusionGenerate(new RecordingGenerator()).Fit(keyed));
        StringAssert.Contains(e.Message, "has no class names");

        var numbers = ml.Data.LoadFromEnumerable(new[] { new { Class = 7, Seed = 4L }, new { Class = 2, Seed = 4L } });
        var numericKeys = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(numbers).Transform(numbers); // 7 → 1, 2 → 2
        var generator = new RecordingGenerator();
        ml.Transforms.DiffusionGenerate(generator).Fit(numericKeys).Transform(numericKeys).GetColumn<float[]>("Pixels").ToList();
        CollectionAssert.AreEqual(new long[] { 7, 2 }, generator.Calls.Single().Labels, "numeric key values are the class ids");
    }

    [TestMethod]
    public void OutputSchemaHasImageAndPixelColumns()
    {
        var ml = new MLContext();
        var estimator = ml.Transforms.DiffusionGenerate(new RecordingGenerator(channels: 3, size: 8));
        var schema = estimator.Fit(Requests(ml, 1)).GetOutputSchema(Requests(ml, 1).Schema);
        Assert.IsInstanceOfType<Microsoft.ML.Transforms.Image.ImageDataViewType>(schema["Image"].Type);
        var pixels = (VectorDataViewType)schema["Pixels"].Type;
        CollectionAssert.AreEqual(new[] { 3, 8, 8 }, pixels.Dimensions.ToArray());
        var shape = estimator.GetOutputSchema(SchemaShapeOf(ml));
        Assert.IsTrue(shape.Any(c => c.Name == "Image") && shape.Any(c => c.Name == "Pixels"));
    }

    [TestMethod]
    public void OutputShapeOpensNoModelAndFeedsImageEstimators()
    {
        var ml = new MLContext();
        int opened = 0;
        var estimator = new DiffusionGenerateEstimator(() => { opened++; return new RecordingGenerator(channels: 3, size: 8); }, new DiffusionGenerateOptions(), ownsGenerator: true);
        // ML.NET's own image estimator accepts the shape: the Image column is an image, Pixels a known-size vector.
        var shape = estimator.Append(ml.Transforms.ExtractPixels("Again", "Image")).GetOutputSchema(SchemaShapeOf(ml));
        Assert.AreEqual(0, opened, "describing the output opens no generator (for a model file: no ONNX Runtime session)");
        Assert.IsTrue(shape.SingleOrDefault(c => c.Name == "Pixels") is { Name: not null } pixels && pixels.Kind == SchemaShape.Column.VectorKind.Vector && pixels.ItemType == NumberDataViewType.Single);
        Assert.IsTrue(shape.Any(c => c.Name == "Again"));
        Assert.IsTrue(shape.Any(c => c.Name == "Label2"), "input columns stay");
    }

    private static SchemaShape SchemaShapeOf(MLContext ml) =>
        ml.Transforms.CopyColumns("Label2", "Label").GetOutputSchema(
            ml.Transforms.CopyColumns("Label3", "Label").Fit(Requests(ml, 1)).GetOutputSchema(Requests(ml, 1).Schema) is var s
                ? (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public, [typeof(DataViewSchema)])!.Invoke(null, [s])!
                : throw new InvalidOperationException());
}
