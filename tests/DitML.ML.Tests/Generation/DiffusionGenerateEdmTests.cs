using DitML.DiffiT;
using DitML.Generation;
using DitML.Models;
using DitML.ML.Generation;
using DitML.Sampling;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace DitML.ML.Tests.Generation;

/// <summary>DiffusionGenerate serves an exported EDM model (a tiny class-conditional image DiffiT) with EDM's Heun sampler.</summary>
[TestClass]
public sealed class DiffusionGenerateEdmTests
{
    private sealed class Request
    {
        public int Label { get; set; }
        public long Seed { get; set; }
    }

    [TestMethod]
    public void ThePipelineGeneratesWhatTheGeneratorDoesWithTheModelsSampler()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-ml-edm").FullName;
        try
        {
            manual_seed(4);
            var config = new ImageDiffiTConfig
            {
                ImageSize = 8, InChannels = 1, StageChannels = [8, 16], BlocksPerStage = [1, 1], WindowSize = 4, HeadDim = 4,
                GroupNormGroups = 4, TimeEmbedDim = 16, NumClasses = 3,
            };
            using var model = new ImageDiffiT(config);
            using (no_grad()) foreach (var (_, p) in model.named_parameters()) p.add_(randn_like(p).mul_(0.05));   // a non-zero head
            string path = Path.Combine(dir, "edm.onnx");
            ImageDiffiTOnnxExporter.Export(model, null, new ImageDiffiTOnnxExportOptions { SamplingSteps = 3, GuidanceScale = 1.5 }).Save(path);

            var ml = new MLContext(seed: 1);
            var requests = Enumerable.Range(0, 4).Select(i => new Request { Label = i % 3, Seed = 10 + i }).ToList();
            var data = ml.Data.LoadFromEnumerable(requests);
            using var transformer = ml.Transforms.DiffusionGenerate(path).Fit(data);
            var rows = transformer.Transform(data).GetColumn<float[]>("Pixels").ToArray();

            using var generator = DiffusionGenerator.Open(path);
            Assert.AreEqual(SamplerKind.Heun, generator.Sampler.Options.Sampler);
            Assert.AreEqual(3, generator.Sampler.Steps);
            var expected = new float[4 * 64];
            generator.Generate([0, 1, 2, 0], [10, 11, 12, 13], expected);
            Assert.HasCount(4, rows);
            // The pipeline's Pixels column holds images: the samples clamped to [−1, 1].
            for (int i = 0; i < 4; i++)
                CollectionAssert.AreEqual(expected[(i * 64)..((i + 1) * 64)].Select(v => Math.Clamp(v, -1f, 1f)).ToArray(), rows[i], $"row {i}");
            CollectionAssert.AreNotEqual(rows[0], rows[3], "other seed, other image");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
