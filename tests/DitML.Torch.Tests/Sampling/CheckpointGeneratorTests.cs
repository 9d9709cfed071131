using DitML.DiffiT;
using DitML.Dit;
using DitML.Generation;
using DitML.Models;
using DitML.Onnx;
using DitML.Sampling;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Sampling;

/// <summary>
/// A TorchSharp model sampled without exporting is described as its export would be: the same recommended guidance,
/// guidance recipe (latent DiffiT's three channels and power-cosine schedule) and clipping, so it gives the export's
/// images up to float rounding.
/// </summary>
[TestClass]
public sealed class CheckpointGeneratorTests
{
    private static readonly DiffusionGeneratorOptions Fast = new() { Sampler = new SamplerOptions { Steps = 4 } };

    private static void Randomize(IDiffusionTransformer model, ulong seed)
    {
        using var generator = new Generator(seed);
        using var _ = no_grad();
        foreach (var (name, p) in model.Module.named_parameters())
            if (name != "pos_embed") p.normal_(0, 0.05, generator);
    }

    private static void AssertSameImages(DiffusionGenerator a, DiffusionGenerator b)
    {
        var x = new float[3 * a.Channels * a.Height * a.Width];
        var y = new float[x.Length];
        a.Generate([0, 1, 2], [7, 8, 9], x);
        b.Generate([0, 1, 2], [7, 8, 9], y);
        for (int i = 0; i < x.Length; i++) Assert.AreEqual(x[i], y[i], 1e-4f, $"value {i}");
    }

    [TestMethod]
    public void ALatentDiffiTSamplesWithTheReleasesRecipeAndTheExportsImages()
    {
        var config = new LatentDiffiTConfig { InputSize = 8, InChannels = 1, NumClasses = 3, Depth = 1, HiddenSize = 32, NumHeads = 2, PatchSize = 2 };
        string dir = Directory.CreateTempSubdirectory("ditml-ckpt-gen").FullName;
        try
        {
            var model = new LatentDiffiT(config);
            Randomize(model, 3);
            string onnx = Path.Combine(dir, "diffit.onnx");
            LatentDiffiTOnnxExporter.Export(model).Save(onnx);
            using var exported = DiffusionGenerator.Open(onnx, Fast);
            using var direct = CheckpointGenerator.Open(model, Fast);               // owns and disposes the model
            Assert.AreEqual(exported.Info, direct.Info, "described as the export describes itself");
            Assert.IsTrue(direct.Sampler.Options.GuideFirstThreeChannels);
            Assert.AreEqual(LatentDiffiTGuidance.ScaleFor(8), direct.Sampler.Options.GuidanceScale);
            Assert.AreEqual(exported.Sampler.Options, direct.Sampler.Options);
            AssertSameImages(exported, direct);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ADiTKeepsItsOwnerAndRefusesAGpu()
    {
        using var model = new DiT(new DiTConfig { InputSize = 8, InChannels = 1, NumClasses = 3, Depth = 1, HiddenSize = 32, NumHeads = 2, PatchSize = 2 });
        Randomize(model, 4);
        using (var generator = CheckpointGenerator.Open(model, Fast, new DiTOnnxExportOptions { GuidanceScale = 2.5 }, ownsModel: false))
        {
            Assert.AreEqual(2.5, generator.Sampler.Options.GuidanceScale);
            Assert.IsTrue(generator.Sampler.Options.ClipDenoised, "a pixel model is clipped, as its export");
        }
        using (no_grad()) model.forward(zeros(1, 1, 8, 8), tensor(new float[] { 5 }), tensor(new long[] { 1 })).Dispose();   // not disposed with the generator
        Assert.ThrowsExactly<NotSupportedException>(() => CheckpointGenerator.Open(model, Fast with { Device = OnnxDevice.Cuda() }, ownsModel: false));
    }
}
