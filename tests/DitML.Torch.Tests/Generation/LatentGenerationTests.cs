using DitML.Diffusion;
using DitML.Generation;
using DitML.Models;
using DitML.Onnx;
using DitML.Sampling;
using DitML.Vae;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.Torch.Tests.Generation;

/// <summary>A latent DiT on ONNX Runtime with an exported VAE decoder gives the images the TorchSharp VAE decodes from the same samples.</summary>
[TestClass]
public sealed class LatentGenerationTests
{
    [TestMethod]
    public void LatentSamplesAreDecodedByTheExportedDecoder()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-latent").FullName;
        try
        {
            manual_seed(5);
            var config = new DiTConfig { InputSize = 4, PatchSize = 2, InChannels = 4, HiddenSize = 32, Depth = 1, NumHeads = 2, NumClasses = 3 };
            using var dit = new DiT(config);
            using (no_grad()) foreach (var (n, p) in dit.named_parameters()) if (n != "pos_embed") p.normal_(0, 0.05);
            string ditPath = Path.Combine(dir, "dit.onnx"), decoderPath = Path.Combine(dir, "decoder.onnx");
            DiTOnnxExporter.Export(dit, new DiTOnnxExportOptions { Space = ModelSpace.Latent, GuidanceScale = 2 }).Save(ditPath);
            using var vae = new AutoencoderKL(VaeConfig.Small);                   // latents ×2 → pixels
            vae.eval();
            VaeOnnxExporter.ExportDecoder(vae).Save(decoderPath);

            var sampling = new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = 4 };
            long[] labels = [0, 2], seeds = [11, 12];
            using var generator = DiffusionGenerator.Open(ditPath, new DiffusionGeneratorOptions { Sampler = sampling, VaeDecoderPath = decoderPath });
            Assert.AreEqual((3, 8, 8), (generator.Channels, generator.Height, generator.Width));
            var images = new float[2 * 3 * 8 * 8];
            generator.Generate(labels, seeds, images);

            // The same samples by the sampler directly (no x̂₀ clipping for latents), decoded by TorchSharp.
            using var denoiser = new OnnxDenoiser(ditPath);
            var latents = DiffusionSampler.Create(sampling with { GuidanceScale = 2 }, NoiseSchedule.Linear(1000)).Sample(denoiser, labels, seeds);
            using var noGrad = no_grad();
            using var z = tensor(latents, [2, 4, 4, 4]);
            using var decoded = vae.DecodeLatents(z).clamp(-1, 1);
            var expected = decoded.data<float>().ToArray();
            double num = 0, den = 0;
            for (int i = 0; i < expected.Length; i++) { num += Math.Pow(expected[i] - images[i], 2); den += Math.Pow(expected[i], 2); }
            Assert.IsLessThan(1e-4, Math.Sqrt(num / den));

            var e = Assert.ThrowsExactly<ArgumentException>(() => DiffusionGenerator.Open(ditPath));
            StringAssert.Contains(e.Message, "VaeDecoderPath");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
