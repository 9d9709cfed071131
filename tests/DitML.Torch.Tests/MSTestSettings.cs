// Tests share one libtorch; run them one at a time (libtorch already uses both cores).
[assembly: DoNotParallelize]

namespace DitML.Torch.Tests
{
    /// <summary>Caps libtorch at AVX2 before any test's first TorchSharp operation (see DitML.Native.CpuInstructionSet).</summary>
    [TestClass]
    public static class TestAssembly
    {
        [AssemblyInitialize]
        public static void CapCpuInstructionSet(TestContext _) => DitML.Native.CpuInstructionSet.Apply();
    }
}
