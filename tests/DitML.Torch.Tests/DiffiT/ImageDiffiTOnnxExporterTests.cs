using DitML.DiffiT;
using DitML.Diffusion;
using DitML.Generation;
using DitML.Models;
using DitML.Onnx;
using DitML.Sampling;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.DiffiT;

/// <summary>The exported EDM graph equals the TorchSharp denoiser, and DiffusionGenerator serves it with EDM's Heun sampler.</summary>
[TestClass]
public sealed class ImageDiffiTOnnxExporterTests
{
    [TestMethod]
    public void OnnxRuntimeEqualsTheTorchSharpDenoiserAndTheMetadataNamesAnEdmModel()
    {
        var r = ImageDiffiTTests.LoadReference();
        using var model = ImageDiffiTTests.LoadReferenceModel(r);
        string path = Path.Combine(Directory.CreateTempSubdirectory("ditml-edm-onnx").FullName, "edm.onnx");
        try
        {
            ImageDiffiTOnnxExporter.Export(model, new EdmSettings(), new ImageDiffiTOnnxExportOptions { GuidanceScale = 1.5, ClassNames = ["a", "b", "c"] }).Save(path);
            OnnxChecker.AssertAccepts(path);
            using var denoiser = new OnnxDenoiser(path);
            Assert.IsNotNull(denoiser.EdmInfo);
            Assert.AreEqual(r.Config, denoiser.EdmInfo.Config);
            Assert.AreEqual(EdmSettings.Cifar10Steps, denoiser.EdmInfo.SamplingSteps, "the paper's 18 steps at ≤ 32²");
            Assert.AreEqual(1.5, denoiser.EdmInfo.GuidanceScale);
            Assert.AreEqual(2, denoiser.EdmInfo.ClassId("C"));
            Assert.IsFalse(denoiser.LearnSigma);
            Assert.ThrowsExactly<InvalidOperationException>(() => denoiser.Info);

            var output = new float[r.D.Length];
            denoiser.Predict(r.X, r.Sigma, r.Y, output);
            Assert.IsLessThan(1e-5, ImageDiffiTTests.RelativeError(output, r.D), "ONNX Runtime vs the PyTorch reference's D");
            using var _ = no_grad();
            using var edm = new EdmDenoiser(model);
            using var torchD = edm.forward(tensor(r.X, r.XShape), tensor(r.Sigma), tensor(r.Y));
            Assert.IsLessThan(1e-5, ImageDiffiTTests.RelativeError(output, torchD.data<float>().ToArray()), "ONNX Runtime vs TorchSharp");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [TestMethod]
    public void DiffusionGeneratorSamplesAnExportedEdmModelWithEdmsHeunSampler()
    {
        var r = ImageDiffiTTests.LoadReference();
        using var model = ImageDiffiTTests.LoadReferenceModel(r);
        string path = Path.Combine(Directory.CreateTempSubdirectory("ditml-edm-gen").FullName, "edm.onnx");
        try
        {
            ImageDiffiTOnnxExporter.Export(model, null, new ImageDiffiTOnnxExportOptions { SamplingSteps = 4, GuidanceScale = 2 }).Save(path);
            using var generator = DiffusionGenerator.Open(path);
            Assert.AreEqual(4, generator.Sampler.Steps, "the model's recommended steps");
            Assert.AreEqual(SamplerKind.Heun, generator.Sampler.Options.Sampler);
            Assert.AreEqual(2, generator.Sampler.Options.GuidanceScale);
            Assert.IsFalse(generator.Sampler.Options.ClipDenoised);
            var pixels = new float[2 * 2 * 8 * 8];
            generator.Generate([0, 2], [5, 6], pixels);

            // The same sampler over the TorchSharp denoiser (no export) gives the same samples.
            using var torchModel = new EdmTorchDenoiser(new EdmDenoiser(model), r.Config);
            var expected = DiffusionSampler.CreateEdm(new SamplerOptions { Sampler = SamplerKind.Heun, Steps = 4, GuidanceScale = 2 }).Sample(torchModel, [0, 2], [5, 6]);
            Assert.IsTrue(pixels.All(float.IsFinite));
            Assert.IsGreaterThan(0.01, pixels.Select(Math.Abs).Max(), "not trivial");
            Assert.IsLessThan(1e-3, ImageDiffiTTests.RelativeError(pixels, expected));

            var e = Assert.ThrowsExactly<ArgumentException>(() => DiffusionGenerator.Open(path, new DiffusionGeneratorOptions { Sampler = new SamplerOptions { Sampler = SamplerKind.Ddim } }));
            StringAssert.Contains(e.Message, "heun");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [TestMethod]
    public void AnUnconditionalModelCannotBeGuided()
    {
        manual_seed(3);
        var config = new ImageDiffiTConfig { ImageSize = 8, InChannels = 1, StageChannels = [8], BlocksPerStage = [1], WindowSize = 4, HeadDim = 4, GroupNormGroups = 2, TimeEmbedDim = 8 };
        using var model = new ImageDiffiT(config);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ImageDiffiTOnnxExporter.Export(model, null, new ImageDiffiTOnnxExportOptions { GuidanceScale = 3 }));
        StringAssert.Contains(e.Message, "unconditional");
        string path = Path.Combine(Directory.CreateTempSubdirectory("ditml-edm-unc").FullName, "edm.onnx");
        try
        {
            ImageDiffiTOnnxExporter.Export(model).Save(path);
            using (var generator = DiffusionGenerator.Open(path))
            {
                Assert.AreEqual(1, generator.NumClasses, "one (ignored) class");
                Assert.AreEqual(1, generator.Sampler.Options.GuidanceScale);
            }
            e = Assert.ThrowsExactly<ArgumentException>(() => DiffusionGenerator.Open(path, new DiffusionGeneratorOptions { Sampler = new SamplerOptions { Sampler = SamplerKind.Heun, GuidanceScale = 4 } }));
            StringAssert.Contains(e.Message, "unconditional");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    /// <summary>The TorchSharp EDM denoiser as a sampler's <see cref="IDenoiser"/> (t is σ).</summary>
    private sealed class EdmTorchDenoiser(EdmDenoiser denoiser, ImageDiffiTConfig config) : IDenoiser, IDisposable
    {
        public int Channels => config.InChannels;

        public int Height => config.ImageSize;

        public int Width => config.ImageSize;

        public bool LearnSigma => false;

        public int NumClasses => config.NumClasses;

        public void Predict(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> y, Span<float> output)
        {
            using var _ = no_grad();
            using var d = denoiser.forward(tensor(x.ToArray(), [y.Length, Channels, Height, Width]), tensor(t.ToArray()), tensor(y.ToArray()));
            d.data<float>().ToArray().CopyTo(output);
        }

        public void Dispose() => denoiser.Dispose();
    }
}
