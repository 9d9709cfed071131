using DitML.Generation;
using DitML.ML.Generation;
using DitML.ML.Tests.Generation;
using DitML.ML.Tests.Metrics;
using DitML.Onnx;
using DitML.Sampling;
using DitML.Vae;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace DitML.ML.Tests.Onnx;

/// <summary>
/// Devices in ML.NET pipelines on this CPU build: a CUDA device is refused when the pipeline is built (naming what is
/// missing), the context's <c>GpuDeviceId</c>/<c>FallbackToCpu</c> are honoured as ML.NET's own ONNX transforms honour
/// them, and a saved pipeline keeps its device, which <c>LoadModel</c> can replace.
/// </summary>
[TestClass]
public sealed class DeviceTests
{
    private sealed class Request
    {
        public int Label { get; set; }
        public long Seed { get; set; }
    }

    private sealed class ImageRow
    {
        [VectorType(1, 8, 8)]
        public float[] Pixels { get; set; } = [];
    }

    private static readonly DiffusionGeneratorOptions Fast = new() { Sampler = new SamplerOptions { Sampler = SamplerKind.Ddim, Steps = 3 } };

    private static IDataView Requests(MLContext ml) =>
        ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new Request { Label = i % 5, Seed = 60 + i }).ToList());

    [TestInitialize]
    public void RequireCpuOnlyBuild()
    {
        if (OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
            Assert.Inconclusive("this test build carries ONNX Runtime's CUDA provider: the CPU-only refusal does not apply");
    }

    [TestMethod]
    public void ACudaDeviceIsRefusedWhenThePipelineIsBuiltNotWhenRowsAreRead()
    {
        using var exported = new ExportedModel(seed: 51);
        using var classifier = new ExportedClassifier(seed: 5);
        var ml = new MLContext(seed: 0);
        var e = Assert.ThrowsExactly<DeviceUnavailableException>(() => ml.Transforms.DiffusionGenerate(exported.Path, Fast with { Device = OnnxDevice.Cuda() }));
        StringAssert.Contains(e.Message, "cuda:0");
        StringAssert.Contains(e.Message, "-p:DitMLDevice=cuda");
        Assert.ThrowsExactly<DeviceUnavailableException>(() => ml.Transforms.ExtractImageFeatures(classifier.Path, OnnxDevice.Cuda(1)));

        string dir = Directory.CreateTempSubdirectory("ditml-device-vae").FullName;
        try
        {
            string encoder = Path.Combine(dir, "encoder.onnx");
            using (var vae = new AutoencoderKL(VaeConfig.Small with { InChannels = 1, OutChannels = 1 })) VaeOnnxExporter.ExportEncoder(vae).Save(encoder);
            Assert.ThrowsExactly<DeviceUnavailableException>(() => ml.Transforms.VaeEncode(encoder, OnnxDevice.Cuda()));
            var images = ml.Data.LoadFromEnumerable(new[] { new ImageRow { Pixels = new float[64] } });
            var latents = ml.Transforms.VaeEncode(encoder, OnnxDevice.Auto).Fit(images).Transform(images).GetColumn<float[]>("Latents").Single();
            Assert.HasCount(4 * 4 * 4, latents, "auto runs the encoder on the CPU");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TheContextsGpuDeviceIdIsHonouredAsMLNetHonoursIt()
    {
        using var exported = new ExportedModel(seed: 52);
        using var classifier = new ExportedClassifier(seed: 6);
        var strict = new MLContext(seed: 0) { GpuDeviceId = 0 };
        Assert.ThrowsExactly<DeviceUnavailableException>(() => strict.Transforms.DiffusionGenerate(exported.Path, Fast));
        Assert.ThrowsExactly<DeviceUnavailableException>(() => strict.Transforms.ExtractImageFeatures(classifier.Path));

        var lenient = new MLContext(seed: 0) { GpuDeviceId = 0, FallbackToCpu = true };
        var onCpu = new MLContext(seed: 0);
        using var fallback = (DiffusionGenerateTransformer)lenient.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(Requests(lenient));
        using var plain = (DiffusionGenerateTransformer)onCpu.Transforms.DiffusionGenerate(exported.Path, Fast).Fit(Requests(onCpu));
        Assert.AreEqual("auto", fallback.Spec!.Device, "the context's GPU with fallback, recorded for the saved pipeline");
        Assert.AreEqual(OnnxDevice.Cpu, fallback.Device, "no GPU here: the CPU");
        Assert.IsNull(plain.Spec!.Device, "no device asked for: the CPU, recorded as before devices");
        var a = fallback.Transform(Requests(lenient)).GetColumn<float[]>("Pixels").SelectMany(p => p).ToArray();
        var b = plain.Transform(Requests(onCpu)).GetColumn<float[]>("Pixels").SelectMany(p => p).ToArray();
        CollectionAssert.AreEqual(b, a);
    }

    [TestMethod]
    public void ASavedPipelineKeepsItsDeviceAndLoadModelCanReplaceIt()
    {
        using var exported = new ExportedModel(seed: 53);
        var ml = new MLContext(seed: 0);
        string zip = Path.Combine(Path.GetTempPath(), $"ditml-device-{Guid.NewGuid():N}.zip");
        try
        {
            using (var model = ml.Transforms.DiffusionGenerate(exported.Path, Fast with { Device = OnnxDevice.Auto }).Fit(Requests(ml)))
                ml.Model.Save(model, Requests(ml).Schema, zip);

            GenerationSpec Loaded(MLContext context, OnnxDevice? device = null)
            {
                using var loaded = (DiffusionGenerateTransformer)context.Generation().LoadModel(zip, out _, device);
                return loaded.Spec!;
            }
            Assert.AreEqual("auto", Loaded(new MLContext()).Device, "as saved");
            Assert.AreEqual("cpu", Loaded(new MLContext(), OnnxDevice.Cpu).Device, "the caller's device wins");
            Assert.AreEqual("auto:1", Loaded(new MLContext { GpuDeviceId = 1, FallbackToCpu = true }).Device, "the loading context's GpuDeviceId wins over the saved device");
            var e = Assert.ThrowsExactly<DeviceUnavailableException>(() => Loaded(new MLContext(), OnnxDevice.Cuda()));
            StringAssert.Contains(e.Message, "cuda:0", "a pipeline that must run on CUDA fails at load, saying why");
        }
        finally
        {
            File.Delete(zip);
        }
    }
}
