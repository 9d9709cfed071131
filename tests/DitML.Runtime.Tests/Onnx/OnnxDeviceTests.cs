using DitML.Generation;
using DitML.Metrics;
using DitML.Onnx;
using DitML.Sampling;
using Microsoft.ML.OnnxRuntime;

namespace DitML.Runtime.Tests.Onnx;

/// <summary>
/// Devices as users spell them, and what this CPU build does when asked for CUDA: refuse at once, saying what is
/// missing, or (auto) run on the CPU exactly as the CPU does. The GPU build's refusal on a machine without CUDA is
/// checked by .ci/run, which builds it; its GPU path by scripts/gpu-check.sh on a machine with one.
/// </summary>
[TestClass]
public sealed class OnnxDeviceTests
{
    private static void RequireCpuOnlyBuild()
    {
        if (OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
            Assert.Inconclusive("this test build carries ONNX Runtime's CUDA provider: the CPU-only refusal does not apply");
    }

    [TestMethod]
    [DataRow("cpu", OnnxDeviceKind.Cpu, 0, "cpu")]
    [DataRow(" CPU ", OnnxDeviceKind.Cpu, 0, "cpu")]
    [DataRow("cuda", OnnxDeviceKind.Cuda, 0, "cuda:0")]
    [DataRow("cuda:3", OnnxDeviceKind.Cuda, 3, "cuda:3")]
    [DataRow("CUDA:1", OnnxDeviceKind.Cuda, 1, "cuda:1")]
    [DataRow("auto", OnnxDeviceKind.Auto, 0, "auto")]
    [DataRow("auto:2", OnnxDeviceKind.Auto, 2, "auto:2")]
    public void DevicesParseAndPrintAsTheCommandLineSpellsThem(string text, OnnxDeviceKind kind, int id, string printed)
    {
        var device = OnnxDevice.Parse(text);
        Assert.AreEqual(kind, device.Kind);
        Assert.AreEqual(id, device.Id);
        Assert.AreEqual(printed, device.ToString());
        Assert.AreEqual(device, OnnxDevice.Parse(device.ToString()), "ToString reads back");
    }

    [TestMethod]
    [DataRow("gpu")]
    [DataRow("cuda:")]
    [DataRow("cuda:-1")]
    [DataRow("cuda:x")]
    [DataRow("cuda0")]
    [DataRow("")]
    public void AnythingElseIsRefusedWithTheSpellingsItTakes(string text)
    {
        Assert.IsFalse(OnnxDevice.TryParse(text, out _));
        var e = Assert.ThrowsExactly<FormatException>(() => OnnxDevice.Parse(text));
        StringAssert.Contains(e.Message, "cuda:N");
        StringAssert.Contains(e.Message, "auto");
    }

    [TestMethod]
    public void MLNetsGpuSettingsMapOntoDevices()
    {
        Assert.AreEqual(OnnxDevice.Cpu, OnnxDevice.FromMLNet(null, fallbackToCpu: true));
        Assert.AreEqual(OnnxDevice.Cuda(1), OnnxDevice.FromMLNet(1, fallbackToCpu: false));
        Assert.AreEqual(new OnnxDevice(OnnxDeviceKind.Auto, 1), OnnxDevice.FromMLNet(1, fallbackToCpu: true));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OnnxDevice.Cuda(-1));
    }

    [TestMethod]
    public void TheCpuBuildSaysItHasNoCudaProviderAndHowToGetOne()
    {
        RequireCpuOnlyBuild();
        Assert.IsFalse(CudaProvider.IsAvailable);
        StringAssert.Contains(CudaProvider.UnavailableReason, "CPU-only ONNX Runtime");
        StringAssert.Contains(CudaProvider.UnavailableReason, "-p:DitMLDevice=cuda");
        Assert.AreEqual(OnnxDevice.Cpu, OnnxDevice.Auto.Resolve(), "auto falls back to the CPU");
        var e = Assert.ThrowsExactly<DeviceUnavailableException>(() => OnnxDevice.Cuda(2).Resolve());
        Assert.AreEqual(OnnxDevice.Cuda(2), e.Device);
        StringAssert.StartsWith(e.Message, "cannot run on cuda:2: ");
    }

    [TestMethod]
    public void EverySessionRefusesCudaHereAndRunsAutoOnTheCpuWithTheCpusNumbers()
    {
        RequireCpuOnlyBuild();
        string model = Fixture.Shipped("model.onnx"), classifier = Fixture.Shipped("classifier.onnx");
        Assert.ThrowsExactly<DeviceUnavailableException>(() => new OnnxDenoiser(model, new OnnxDenoiserOptions { Device = OnnxDevice.Cuda() }));
        Assert.ThrowsExactly<DeviceUnavailableException>(() => new OnnxImageClassifier(classifier, OnnxDevice.Cuda()));
        Assert.ThrowsExactly<DeviceUnavailableException>(() => DiffusionGenerator.Open(model, new DiffusionGeneratorOptions { Device = OnnxDevice.Cuda(1) }));

        var fast = new SamplerOptions { Steps = 3 };
        using var cpu = DiffusionGenerator.Open(model, new DiffusionGeneratorOptions { Sampler = fast });
        using var auto = DiffusionGenerator.Open(model, new DiffusionGeneratorOptions { Sampler = fast, Device = OnnxDevice.Auto });
        Assert.AreEqual(OnnxDevice.Cpu, cpu.Device);
        Assert.AreEqual(OnnxDevice.Cpu, auto.Device, "auto found no GPU");
        var a = new float[2 * 28 * 28];
        var b = new float[a.Length];
        cpu.Generate([3, 8], [5, 6], a);
        auto.Generate([3, 8], [5, 6], b);
        CollectionAssert.AreEqual(a, b);

        using var onCpu = new OnnxImageClassifier(classifier);
        using var onAuto = new OnnxImageClassifier(classifier, OnnxDevice.Auto);
        Assert.AreEqual(OnnxDevice.Cpu, onAuto.Device);
        CollectionAssert.AreEqual(onCpu.Run(a).Probabilities, onAuto.Run(a).Probabilities);
    }
}
