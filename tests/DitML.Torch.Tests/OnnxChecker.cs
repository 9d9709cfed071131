using System.Diagnostics;

namespace DitML.Torch.Tests;

/// <summary>The reference ONNX checker (Debian's python3-onnx, installed by .ci/run) over exported files; and the python runner other reference checks use.</summary>
internal static class OnnxChecker
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Asserts that onnx.checker.check_model(full_check=True) accepts every file; inconclusive without python3-onnx.</summary>
    public static void AssertAccepts(params string[] paths)
    {
        if (!File.Exists(Python) || Run("-c", "import onnx").Code != 0)
            Assert.Inconclusive("skipped: /usr/bin/python3 with onnx is not installed (apt-get install python3-onnx; .ci/run does)");
        var (code, output) = Run(["-c", "import onnx, sys\nfor p in sys.argv[1:]: onnx.checker.check_model(onnx.load(p), full_check=True)\nprint('ok')", .. paths]);
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "ok");
    }

    /// <summary>Runs /usr/bin/python3 with <paramref name="args"/>; its exit code and output (stdout, then stderr).</summary>
    internal static (int Code, string Output) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
