using DitML.Precision;

namespace DitML.Torch.Tests.Precision;

[TestClass]
public sealed class NativeBf16Tests
{
    // Excerpts of real /proc/cpuinfo texts (two cores each).
    private const string Zen4 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx avx2 avx512f avx512bw avx512_bf16 avx512_vnni\n\nprocessor\t: 1\nflags\t\t: fpu sse2 avx avx2 avx512f avx512bw avx512_bf16 avx512_vnni\n";
    private const string Zen3 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 fma avx f16c avx2 vaes vpclmulqdq\n\nprocessor\t: 1\nflags\t\t: fpu sse2 fma avx f16c avx2 vaes vpclmulqdq\n";
    private const string SapphireRapids = "processor\t: 0\nflags\t\t: avx512f amx_bf16 amx_tile amx_int8\n";
    private const string Graviton3 = "processor\t: 0\nFeatures\t: fp asimd sve i8mm bf16 svebf16\nCPU implementer\t: 0x41\n";
    private const string Graviton2 = "processor\t: 0\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp\n";

    [TestMethod]
    [DataRow(Zen4, true)]
    [DataRow(SapphireRapids, true)]
    [DataRow(Graviton3, true)]
    [DataRow(Zen3, false)]
    [DataRow(Graviton2, false)]
    public void ReadsTheCpusBf16Features(string cpuInfo, bool expected) => Assert.AreEqual(expected, NativeBf16.FromCpuInfo(cpuInfo));

    [TestMethod]
    public void ATextWithoutFeatureLinesSaysNothing() => Assert.IsNull(NativeBf16.FromCpuInfo("processor\t: 0\nmodel name\t: something\n"));

    [TestMethod]
    public void OneCoreWithoutItIsEnoughToSayNo() =>
        Assert.IsFalse(NativeBf16.FromCpuInfo("flags\t: avx512_bf16\n\nflags\t: avx2\n"));

    [TestMethod]
    public void OnlyBf16OnACpuWithoutItIsWarnedAbout()
    {
        Assert.IsNull(NativeBf16.WarningFor(ComputePrecision.Fp32));
        var warning = NativeBf16.WarningFor(ComputePrecision.Bf16);
        // This machine's answer decides; the warning exists exactly when the CPU says it has no bf16.
        Assert.AreEqual(NativeBf16.IsSupported == false, warning is not null);
        if (warning is not null) StringAssert.Contains(warning, "--precision fp32");
    }
}
