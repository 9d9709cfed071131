[assembly: Parallelize(Scope = ExecutionScope.MethodLevel)]

namespace DitML.Cli.Tests
{
    /// <summary>Caps libtorch at AVX2 before any test's first TorchSharp operation (see DitML.Native.CpuInstructionSet).</summary>
    [TestClass]
    public static class TestAssembly
    {
        [AssemblyInitialize]
        public static void CapCpuInstructionSet(TestContext _) => DitML.Native.CpuInstructionSet.Apply();
    }
}
