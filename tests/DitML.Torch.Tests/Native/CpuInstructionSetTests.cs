using System.Runtime.InteropServices;
using DitML.Native;

namespace DitML.Torch.Tests.Native;

[TestClass]
public sealed class CpuInstructionSetTests
{
    [DllImport("libc.so.6", EntryPoint = "getenv", CharSet = CharSet.Ansi)]
    private static extern IntPtr NativeGetEnv(string name);

    [TestMethod]
    public void TheCapsReachTheEnvironmentLibtorchReads()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            Assert.Inconclusive("checks the C runtime's environment on Linux x86-64");
        if (Environment.GetEnvironmentVariable(CpuInstructionSet.AllowAvx512Variable) == "1")
            Assert.Inconclusive($"{CpuInstructionSet.AllowAvx512Variable}=1: the caps are off by request");
        Assert.IsTrue(CpuInstructionSet.Apply());
        Assert.IsTrue(CpuInstructionSet.Applied);
        foreach (var (name, value) in CpuInstructionSet.Caps)
        {
            string? user = Environment.GetEnvironmentVariable(name);
            string? native = Marshal.PtrToStringAnsi(NativeGetEnv(name));
            Assert.IsNotNull(native, $"{name} is not in the C runtime's environment");
            Assert.AreEqual(user, native, $"{name}: .NET and the C runtime disagree");
            if (user != value) Console.WriteLine($"{name}={user} (set by the user, kept)");
        }
    }
}
