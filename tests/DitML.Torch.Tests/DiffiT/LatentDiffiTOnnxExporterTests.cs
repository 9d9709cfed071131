using DitML.Checkpoints;
using DitML.DiffiT;
using DitML.Dit;
using DitML.Generation;
using DitML.Models;
using DitML.Onnx;
using DitML.Sampling;
using DitML.Torch.Tests.Dit;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.DiffiT;

/// <summary>Latent DiffiT on ONNX Runtime: the graph computes the TorchSharp forward, and its metadata serves it with the release's guidance.</summary>
[TestClass]
public sealed class LatentDiffiTOnnxExporterTests
{
    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "diffit", name);

    private static LatentDiffiT RandomModel(LatentDiffiTConfig config, int seed)
    {
        manual_seed(seed);
        var model = new LatentDiffiT(config);
        using (no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
                if (name != "pos_embed") p.normal_(0, 0.2);                    // non-zero everywhere: every path counts
        }
        model.eval();
        return model;
    }

    public static IEnumerable<object[]> Models =>
    [
        ["fixture"],                                                                // PyTorch's weights, latent 4×8×8, patch 2, learned variance
        ["pixel"],                                                                  // a Fashion-MNIST-like free config: 1×8×8, patch 4, fixed variance
    ];

    private static LatentDiffiT Model(string which) => which == "fixture"
        ? LatentDiffiTCheckpoint.Load(FixturePath("small.safetensors"))
        : RandomModel(new LatentDiffiTConfig { InputSize = 8, PatchSize = 4, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 2, NumClasses = 10, LearnSigma = false }, 7);

    [TestMethod]
    [DynamicData(nameof(Models))]
    public void OnnxRuntimeMatchesTorchSharp(string which)
    {
        using var model = Model(which);
        var c = model.Config;
        var onnx = LatentDiffiTOnnxExporter.Export(model).ToBytes();
        foreach (int n in new[] { 1, 3 })
        {
            using var x = randn(n, c.InChannels, c.InputSize, c.InputSize);
            var t = Enumerable.Range(0, n).Select(i => 0.5f + 400.25f * i).ToArray();     // fractional steps
            var y = Enumerable.Range(0, n).Select(i => (long)(i * 5 % (c.NumClasses + 1))).ToArray(); // includes the null class
            using var _ = no_grad();
            using var expected = model.forward(x, tensor(t), tensor(y));
            var e = expected.data<float>().ToArray();
            var a = DiTOnnxExporterTests.RunOnnx(onnx, x.data<float>().ToArray(), x.shape, t, y);
            Assert.HasCount(e.Length, a);
            double maxDiff = e.Zip(a, (p, q) => Math.Abs(p - q)).Max(), maxRef = e.Max(Math.Abs);
            Assert.IsGreaterThan(0.01, maxRef, "a non-trivial output");
            Assert.IsLessThan(1e-4, maxDiff / maxRef, $"{which} N={n}: relative error {maxDiff / maxRef:E2}");
        }
    }

    [TestMethod]
    public void TheGraphUsesTheStoredIndexBuffer()
    {
        // A model whose index points every pair at row 0 (as TheLoadedIndexBufferIsTheOneAttentionUses): ONNX follows it.
        var tensors = CheckpointFile.Read(FixturePath("small.safetensors")).Tensors.ToDictionary();
        var index = tensors["blocks.0.attn.relative_position_index"];
        tensors["blocks.0.attn.relative_position_index"] = new CheckpointTensor(TensorDType.Int64, index.Shape, new byte[index.Data.Length]);
        string path = Path.Combine(Path.GetTempPath(), $"diffit-onnx-index-{Guid.NewGuid():N}.safetensors");
        try
        {
            CheckpointFile.Write(path, tensors);
            using var model = LatentDiffiTCheckpoint.Load(path);
            using var x = randn(2, 4, 8, 8);
            float[] t = [10, 900];
            long[] y = [1, 10];
            using var _ = no_grad();
            var e = model.forward(x, tensor(t), tensor(y)).data<float>().ToArray();
            var a = DiTOnnxExporterTests.RunOnnx(LatentDiffiTOnnxExporter.Export(model).ToBytes(), x.data<float>().ToArray(), x.shape, t, y);
            Assert.IsLessThan(1e-4 * e.Max(Math.Abs), e.Zip(a, (p, q) => Math.Abs(p - q)).Max());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow(8, 2, GuidanceScheduleKind.PowerCosine, 4.4)]
    [DataRow(64, 8, GuidanceScheduleKind.Constant, 1.49)]
    public void MetadataCarriesTheConfigAndTheReleasesGuidance(int inputSize, int patch, GuidanceScheduleKind kind, double scale)
    {
        var config = new LatentDiffiTConfig { InputSize = inputSize, PatchSize = patch, HiddenSize = 32, Depth = 1, NumHeads = 2, NumClasses = 5 };
        using var model = RandomModel(config, 3);
        using var session = new InferenceSession(LatentDiffiTOnnxExporter.Export(model).ToBytes());
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.IsFalse(meta.ContainsKey(DiTOnnxMetadata.Config), "not mistaken for a DiT");
        var info = DiTModelInfo.FromMetadata(meta, "test");
        Assert.AreEqual(config, info.DiffiTConfig);
        Assert.AreEqual((4, inputSize, 5, true), (info.Config.InChannels, info.Config.InputSize, info.Config.NumClasses, info.Config.LearnSigma));
        Assert.AreEqual(ModelSpace.Latent, info.Space);
        Assert.AreEqual(1000, info.DiffusionSteps);
        Assert.AreEqual(scale, info.GuidanceScale);
        Assert.AreEqual(kind, info.GuidanceSchedule.Kind);
        Assert.AreEqual(4.0, info.GuidanceSchedule.Power);
        Assert.IsTrue(info.GuideFirstThreeChannels);
        Assert.AreEqual("custom DiffiT", info.DisplayName);
        Assert.AreEqual("N", session.InputMetadata["x"].SymbolicDimensions[0], "dynamic batch axis");
    }

    [TestMethod]
    public void TheGeneratorServesItWithTheReleasesGuidanceAndTheSamplesAreTorchSharps()
    {
        // Pixel-space free config (1 channel): DiffusionGenerator picks power-cosine and 3-channel guidance from the
        // metadata, and its images equal the same sampler driving the TorchSharp model.
        string dir = Directory.CreateTempSubdirectory("ditml-diffit-onnx").FullName;
        try
        {
            var config = new LatentDiffiTConfig { InputSize = 8, PatchSize = 4, InChannels = 3, HiddenSize = 32, Depth = 1, NumHeads = 2, NumClasses = 4 };
            using var model = RandomModel(config, 11);
            using (no_grad()) foreach (var p in model.parameters()) p.mul_(0.25);   // a tamer net: clipping stays rare
            string path = Path.Combine(dir, "diffit.onnx");
            LatentDiffiTOnnxExporter.Export(model).Save(path);
            OnnxChecker.AssertAccepts(path);
            var sampling = new SamplerOptions { Sampler = SamplerKind.Ddpm, Steps = 5, BatchSize = 2 };
            using var generator = DiffusionGenerator.Open(path, new DiffusionGeneratorOptions { Sampler = sampling });
            Assert.AreEqual(GuidanceScheduleKind.PowerCosine, generator.Sampler.Options.GuidanceSchedule!.Kind);
            Assert.IsTrue(generator.Sampler.Options.GuideFirstThreeChannels);
            Assert.AreEqual(4.4, generator.Sampler.Options.GuidanceScale);
            long[] labels = [0, 3], seeds = [5, 6];
            var images = new float[2 * 3 * 8 * 8];
            generator.Generate(labels, seeds, images);

            var same = DiffusionSampler.Create(generator.Sampler.Options).Sample(new TorchDenoiser(model), labels, seeds);
            double maxDiff = images.Zip(same, (p, q) => Math.Abs(Math.Clamp(p, -1, 1) - Math.Clamp(q, -1, 1))).Max();
            Assert.IsLessThan(1e-3, maxDiff);
            var constant = DiffusionSampler.Create(generator.Sampler.Options with { GuidanceSchedule = GuidanceSchedule.Constant }).Sample(new TorchDenoiser(model), labels, seeds);
            Assert.IsGreaterThan(1e-3, images.Zip(constant, (p, q) => Math.Abs(p - q)).Max(), "the schedule changes the samples");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
