// Not parallel: the notebook tests set process-wide environment variables, and .NET Interactive's formatter registry is
// global state. (On two cores parallel tests would gain little anyway.)
[assembly: DoNotParallelize]

namespace DitML.Interactive.Tests
{
    /// <summary>Caps libtorch at AVX2 before any test's first TorchSharp operation (see DitML.Native.CpuInstructionSet).</summary>
    [TestClass]
    public static class TestAssembly
    {
        [AssemblyInitialize]
        public static void CapCpuInstructionSet(TestContext _) => DitML.Native.CpuInstructionSet.Apply();
    }
}
