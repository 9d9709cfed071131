using System.Diagnostics;
using DitML.Checkpoints;
using DitML.Dit;
using DitML.Models;
using static TorchSharp.torch;

namespace DitML.Cli.Tests.Commands;

/// <summary>
/// `ditml sample` stopped as a job scheduler stops it (SIGTERM to a separate process, mid-run): it exits 130 and leaves
/// neither the .npz nor its .partial behind.
/// </summary>
[TestClass]
public sealed class SampleInterruptTests
{
    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public void SigtermMidRunDeletesTheUnfinishedNpz()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("signals are sent with kill(1)");
        string dir = Directory.CreateTempSubdirectory("ditml-cli-stop-").FullName;
        try
        {
            manual_seed(2);
            using (var model = new DiT(new DiTConfig { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 4, NumClasses = 3 }))
                DiTCheckpoint.Save(Path.Combine(dir, "tiny.safetensors"), model);
            string onnx = Path.Combine(dir, "tiny.onnx");
            var (code, _, exportError) = CliRunner.Run("export-onnx", "--checkpoint", Path.Combine(dir, "tiny.safetensors"), "--out", onnx);
            Assert.AreEqual(0, code, exportError);

            string npz = Path.Combine(dir, "samples.npz");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "DitML.Cli.dll"), "sample", "--model", onnx, "--classes", "0,1,2",
                         "--per-class", "100000", "--sampler", "ddim", "--steps", "50", "--batch", "4", "--npz", npz })
                start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var watch = Stopwatch.StartNew();
            while (!File.Exists(npz + ".partial") && !process.HasExited && watch.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(100);
            Assert.IsTrue(File.Exists(npz + ".partial"), $"the run never started writing: {stderr.Result}");
            Thread.Sleep(500);                                                   // a few batches in
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.IsTrue(process.WaitForExit(TimeSpan.FromSeconds(60)), "the command did not stop within a minute of SIGTERM");
            string error = stderr.Result;
            Assert.AreEqual(130, process.ExitCode, $"stdout: {stdout.Result}\nstderr: {error}");
            StringAssert.Contains(error, "stopping (SIGTERM)");
            Assert.IsFalse(File.Exists(npz), "no .npz from an unfinished run");
            Assert.IsFalse(File.Exists(npz + ".partial"), "the unfinished file is deleted");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
