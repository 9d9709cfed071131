using DitML.Generation;
using DitML.ML.Generation;
using DitML.Sampling;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Tests.Generation;

/// <summary>DiffusionGenerate with text or key labels on a model exported with class names maps them by name.</summary>
[TestClass]
public sealed class ClassNameTests
{
    private static readonly string[] Names = ["Zero", "One", "Two", "Three", "Four"];

    private static readonly DiffusionGeneratorOptions Fast = new() { Sampler = new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = 2 } };

    private sealed class ById
    {
        public int Label { get; set; }
        public long Seed { get; set; }
    }

    private sealed class ByName
    {
        public string Label { get; set; } = "";
        public long Seed { get; set; }
    }

    private sealed class ByNameColumn
    {
        public string Name { get; set; } = "";
        public long Seed { get; set; }
    }

    private static float[][] Pixels(MLContext ml, string model, IDataView data) =>
        ml.Transforms.DiffusionGenerate(model, Fast, new DiffusionGenerateOptions { BatchSize = 1 }).Fit(data).Transform(data).GetColumn<float[]>("Pixels").ToArray();

    private static void AssertSame(float[][] expected, float[][] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++) CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}");
    }

    [TestMethod]
    public void TextAndKeyLabelsGenerateTheNamedClasses()
    {
        using var exported = new ExportedModel(seed: 31, classNames: Names);
        var ml = new MLContext(seed: 0);
        var ids = ml.Data.LoadFromEnumerable(new[] { new ById { Label = 3, Seed = 1 }, new ById { Label = 1, Seed = 2 }, new ById { Label = 4, Seed = 3 } });
        var expected = Pixels(ml, exported.Path, ids);

        var text = ml.Data.LoadFromEnumerable(new[] { new ByName { Label = "Three", Seed = 1 }, new ByName { Label = "one", Seed = 2 }, new ByName { Label = "Four", Seed = 3 } });
        AssertSame(expected, Pixels(ml, exported.Path, text));

        // Keys in order of appearance: Three → 1, One → 2, Four → 3; by key order they would be classes 0, 1, 2.
        var names = ml.Data.LoadFromEnumerable(new[] { new ByNameColumn { Name = "Three", Seed = 1 }, new ByNameColumn { Name = "One", Seed = 2 }, new ByNameColumn { Name = "Four", Seed = 3 } });
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "Name").Fit(names).Transform(names);
        AssertSame(expected, Pixels(ml, exported.Path, keyed));
    }

    [TestMethod]
    public void UnknownNamesAreRefusedListingTheClasses()
    {
        using var exported = new ExportedModel(seed: 32, classNames: Names);
        var ml = new MLContext();
        var names = ml.Data.LoadFromEnumerable(new[] { new ByNameColumn { Name = "Seven", Seed = 1 } });
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "Name").Fit(names).Transform(names);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(keyed));
        StringAssert.Contains(e.Message, "'Seven' is not a class");
        StringAssert.Contains(e.Message, "Zero, One, Two, Three, Four");

        var text = ml.Data.LoadFromEnumerable(new[] { new ByName { Label = "Seven", Seed = 1 } });
        var t = Assert.Throws<Exception>(() => Pixels(ml, exported.Path, text));
        StringAssert.Contains(t.ToString(), "'Seven' is not a class");
    }

    [TestMethod]
    public void TextLabelsSaveAndLoad()
    {
        using var exported = new ExportedModel(seed: 33, classNames: Names);
        var ml = new MLContext(seed: 0);
        var text = ml.Data.LoadFromEnumerable(new[] { new ByName { Label = "Two", Seed = 5 }, new ByName { Label = "Zero", Seed = 6 } });
        using var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(text);
        var before = model.Transform(text).GetColumn<float[]>("Pixels").ToArray();
        string zip = Path.Combine(Path.GetTempPath(), $"ditml-names-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, text.Schema, zip);
            var after = new MLContext().RegisterDitML().Model.Load(zip, out _).Transform(text).GetColumn<float[]>("Pixels").ToArray();
            for (int i = 0; i < 2; i++)
                for (int k = 0; k < before[i].Length; k++) Assert.AreEqual(before[i][k], after[i][k], 1e-5f, $"row {i}, pixel {k}");
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void TheExporterRefusesNamesThatDoNotFitTheClasses()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new ExportedModel(classNames: ["a", "b"]));
        StringAssert.Contains(e.Message, "names 2 classes; the model has 5");
        var d = Assert.ThrowsExactly<ArgumentException>(() => new ExportedModel(classNames: ["a", "b", "A", "c", "d"]));
        StringAssert.Contains(d.Message, "more than one class");
    }
}
