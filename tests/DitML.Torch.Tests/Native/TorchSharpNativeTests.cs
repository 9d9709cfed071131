using System.Diagnostics;
using DitML.Build;

namespace DitML.Torch.Tests.Native;

/// <summary>
/// TorchSharp loads in an app that only references DitML.Torch, with no DitML build step: a project outside this
/// repository (so no Directory.Build.targets imports the build-time patch), run as a fresh process.
/// </summary>
[TestClass]
public sealed class TorchSharpNativeTests
{
    private static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "DitML.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("DitML.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void AProjectThatOnlyReferencesDitMLTorchLoadsTorchSharp()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("the native-library fix is for Linux");
        string root = RepositoryRoot;
        string app = Directory.CreateTempSubdirectory("ditml-torch-ref-").FullName;
        string cache = Directory.CreateTempSubdirectory("ditml-native-cache-").FullName;
        try
        {
            File.Copy(Path.Combine(root, "nuget.config"), Path.Combine(app, "nuget.config"));
            File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
                    <SelfContained>false</SelfContained>
                    <!-- Nothing here patches the copy, so hard links to the NuGet cache are safe and save a gigabyte. -->
                    <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="{Path.Combine(root, "src", "DitML.Torch", "DitML.Torch.csproj")}" />
                  </ItemGroup>
                </Project>
                """);
            // A DitML model first (DitML.Torch registers its resolver as it loads), then TorchSharp's own API.
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using DitML.Dit;
                using DitML.Models;
                using static TorchSharp.torch;
                using var model = new DiT(new DiTConfig { InputSize = 8, InChannels = 1, NumClasses = 2, Depth = 1, HiddenSize = 32, NumHeads = 2, PatchSize = 4 });
                using var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
                Console.WriteLine($"sum {a.matmul(a).sum().item<float>()}");
                Console.WriteLine($"copy {DitML.Native.TorchSharpNative.PatchedCopy ?? "none"}");
                """);
            // DitML.Torch is already built (this test project references it); -o would redirect its expected output too.
            Run(app, "build", "-c", Configuration, "-p:BuildProjectReferences=false");
            string output = Path.Combine(app, "bin", Configuration, "net10.0", "linux-x64");
            string shipped = Path.Combine(output, "libLibTorchSharp.so");
            bool weakened = ElfVersionNeeds.Read(File.ReadAllBytes(shipped)).Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak;
            Assert.IsFalse(weakened, "no build step touched this app's copy");

            string printed = Run(app, "exec", Path.Combine(output, "app.dll"));
            StringAssert.Contains(printed, "sum 54");
            string? libstdcxx = ElfVersionNeeds.FindSystemLibStdCxx();
            bool systemLacksAnchor = libstdcxx is not null && !ElfVersionNeeds.DefinesVersion(libstdcxx, "GLIBCXX_3.4.32");
            if (systemLacksAnchor)
                StringAssert.Contains(printed, $"copy {cache}", "the weakened copy lives in the private cache (XDG_CACHE_HOME), never the NuGet cache");
            else
                StringAssert.Contains(printed, "copy none", "a new enough libstdc++ needs no copy");


            string Run(string directory, params string[] args)
            {
                var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (string a in args) start.ArgumentList.Add(a);
                start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
                start.Environment["DOTNET_NOLOGO"] = "1";
                start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
                start.Environment["XDG_CACHE_HOME"] = cache;
                using var process = Process.Start(start)!;
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(TimeSpan.FromMinutes(4))) { process.Kill(entireProcessTree: true); Assert.Fail($"dotnet {string.Join(' ', args)} timed out"); }
                string text = stdout.Result + stderr.Result;
                Assert.AreEqual(0, process.ExitCode, $"dotnet {string.Join(' ', args)} failed:\n{text}");
                return text;
            }
        }
        finally
        {
            Directory.Delete(app, recursive: true);
            Directory.Delete(cache, recursive: true);
        }
    }
}
