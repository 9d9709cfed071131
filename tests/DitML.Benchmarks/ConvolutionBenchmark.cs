using System.Diagnostics;
using System.Runtime.InteropServices;
using DitML.Native;
using DitML.Vae;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Benchmarks;

/// <summary>
/// What DitML's answer to libtorch's oneDNN input-gradient fault costs (<see cref="OneDnnConvolution"/>) against the
/// alternative of turning oneDNN off, in one run: a VAE decoder's last convolution (128 → 1 channels) alone, plain,
/// routed through channels-last and with oneDNN off, each with its input gradient's error against float64; then a whole
/// small VAE's training forward and backward with the route (DitML's default) and with oneDNN off.
/// </summary>
internal static class ConvolutionBenchmark
{
    /// <summary>A gradient whose error against float64 exceeds this share of its scale is wrong (float32 rounding gives ~1e-6).</summary>
    private const double WrongAbove = 1e-4;

    public static void Run(string[] args)
    {
        int batch = BenchmarkArgs.GetInt(args, "--batch", 32);
        int size = BenchmarkArgs.GetInt(args, "--size", 28);
        int rounds = BenchmarkArgs.GetInt(args, "--rounds", 3);
        if (!OneDnnSwitch.Available)
        {
            Console.WriteLine("needs Linux x86-64 (turns oneDNN off through libtorch_cpu.so's at::Context)");
            return;
        }
        manual_seed(1);
        using var conv = nn.Conv2d(128, 1, 3, padding: 1);
        using var x = randn(batch, 128, size, size);
        var reference = Float64InputGradient(conv, x);
        Console.WriteLine($"last convolution 128 → 1, 3×3, batch {batch}, {size}×{size}: forward + backward, {rounds} rounds interleaved");
        var layer = new (string Name, bool OneDnn, Func<Tensor, Tensor> Forward)[]
        {
            ("plain, oneDNN", true, conv.forward),
            ("channels-last route (DitML), oneDNN", true, xi => OneDnnConvolution.Forward(conv, xi)),
            ("plain, oneDNN off", false, conv.forward),
        };
        var times = new double[layer.Length];
        var errors = new double[layer.Length];
        var wrong = new int[layer.Length];
        for (int round = 0; round < rounds; round++)
            for (int i = 0; i < layer.Length; i++)
            {
                OneDnnSwitch.Enabled = layer[i].OneDnn;
                var (ms, grad) = TimeBackward(layer[i].Forward, x);
                times[i] += ms / rounds;
                double error = RelativeError(grad, reference);
                errors[i] = Math.Max(errors[i], error);
                if (!(error < WrongAbove)) wrong[i]++;
            }
        OneDnnSwitch.Enabled = true;
        Console.WriteLine($"{"variant",-38} {"ms",8} {"× plain",8} {"worst input-gradient error",27} {"wrong calls",12}");
        for (int i = 0; i < layer.Length; i++)
            Console.WriteLine($"{layer[i].Name,-38} {times[i],8:F1} {times[i] / times[0],8:F2} {errors[i],27:G2} {$"{wrong[i]} of {rounds}",12}");

        var config = new VaeConfig { InChannels = 1, OutChannels = 1, BlockOutChannels = [64, 128], LayersPerBlock = 1, NormNumGroups = 32 };
        using var vae = new AutoencoderKL(config);
        using var images = rand(batch, 1, size, size) * 2 - 1;
        double routed = 0, off = 0;
        for (int round = 0; round < rounds; round++)
        {
            OneDnnSwitch.Enabled = true;
            routed += TimeBackward(vae.forward, images).Ms / rounds;
            OneDnnSwitch.Enabled = false;
            off += TimeBackward(vae.forward, images).Ms / rounds;
        }
        OneDnnSwitch.Enabled = true;
        Console.WriteLine($"VAE [64, 128] training forward + backward, batch {batch}, {size}×{size}: route {routed:F0} ms, oneDNN off {off:F0} ms ({off / routed:F2}×)");
    }

    /// <summary>Milliseconds of one forward + backward of mean(y²) (after a warm-up call), and the input gradient.</summary>
    private static (double Ms, Tensor Grad) TimeBackward(Func<Tensor, Tensor> forward, Tensor x)
    {
        Tensor Once()
        {
            using var scope = NewDisposeScope();
            var xi = x.clone().requires_grad_(true);
            forward(xi).square().mean().backward();
            return xi.grad!.detach().clone().MoveToOuterDisposeScope();
        }
        Once().Dispose();
        var watch = Stopwatch.StartNew();
        var grad = Once();
        return (watch.Elapsed.TotalMilliseconds, grad);
    }

    private static Tensor Float64InputGradient(Conv2d conv, Tensor x)
    {
        using var conv64 = nn.Conv2d(conv.weight.shape[1], conv.weight.shape[0], 3, padding: 1, dtype: ScalarType.Float64);
        using (no_grad())
        {
            conv64.weight.copy_(conv.weight);
            conv64.bias!.copy_(conv.bias!);
        }
        using var x64 = x.to(ScalarType.Float64).requires_grad_(true);
        using (var y = conv64.forward(x64)) using (var loss = y.square().mean()) loss.backward();
        return x64.grad!.detach().clone();
    }

    private static double RelativeError(Tensor a, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var diff = a.to(ScalarType.Float64) - reference;
        double scale = reference.abs().max().item<double>();
        return diff.isfinite().all().item<bool>() ? diff.abs().max().item<double>() / scale : double.PositiveInfinity;
    }

    /// <summary>torch.backends.mkldnn.enabled for libtorch: at::Context::setUserEnabledMkldnn, which TorchSharp does not expose.</summary>
    private static class OneDnnSwitch
    {
        public static bool Available => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

        public static bool Enabled
        {
            set => SetUserEnabledMkldnn(GlobalContext(), value);
        }

        [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at13globalContextEv")]
        private static extern IntPtr GlobalContext();

        [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
        private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);
    }
}
