using System.CommandLine;
using System.Globalization;
using DitML.Data;
using DitML.Metrics;
using DitML.Numpy;
using DitML.Onnx;
using DitML.Classifiers.Inception;
using DitML.Imaging;

namespace DitML.Cli.Commands;

/// <summary>
/// `ditml fid`: FID, Inception Score and precision/recall between two sets (image folders, ADM sample files, statistics
/// files or the Fashion-MNIST test set), with the Fashion-MNIST classifier's or FID InceptionV3's features.
/// </summary>
internal static class FidCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var real = new Option<string>("--real") { Description = "fashion-mnist-test, an image folder, an ADM-layout samples .npz (arr_0 uint8 NHWC), or a statistics .npz (mu, sigma).", Required = true };
        var fake = new Option<string>("--fake") { Description = "Same choices as --real.", Required = true };
        var features = new Option<string>("--features") { Description = "fmnist (the project's Fashion-MNIST classifier) or inception.", DefaultValueFactory = _ => "fmnist" }
            .AcceptOnlyFromAmong("fmnist", "inception");
        var classifier = new Option<FileInfo>("--classifier") { Description = "An ONNX classifier (pixels → features, probabilities): the shipped Fashion-MNIST classifier, or FID Inception written by `ditml export-inception` (then no libtorch is loaded).", DefaultValueFactory = _ => new FileInfo(Path.Combine("examples", "models", "fashion-mnist", "classifier.onnx")) };
        var inceptionWeights = new Option<FileInfo>("--inception-weights") { Description = $"--features inception: pytorch-fid's {FidInceptionV3.WeightsFileName} (never downloaded).", DefaultValueFactory = _ => new FileInfo(FidInceptionV3.WeightsFileName) };
        var device = DeviceOption.Create("An ONNX --classifier (not --features inception, which runs on libtorch's CPU)");
        var saveStats = new Option<FileInfo?>("--save-stats") { Description = "Also write the --fake set's statistics (pytorch-fid layout)." };
        var command = new Command("fid", "Fréchet distance (and IS, precision/recall when both sets are images) between two sets of images or statistics.");
        foreach (var o in new Option[] { real, fake, features, classifier, inceptionWeights, device, saveStats }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            bool inception = parse.GetValue(features) == "inception";
            string classifierPath = parse.GetValue(classifier)!.FullName, weightsPath = parse.GetValue(inceptionWeights)!.FullName;
            if (inception && OnnxDevice.Parse(parse.GetValue(device)!).Kind == OnnxDeviceKind.Cuda)
                throw new ArgumentException("--features inception runs pytorch-fid's weights on libtorch's CPU; for --device cuda, export them with `ditml export-inception` and pass the ONNX file as --classifier");
            var onDevice = DeviceOption.Read(parse, device);
            var lazy = new Lazy<IImageFeatureExtractor>(() => inception
                ? new InceptionFeatureExtractor(weightsPath)
                : new OnnxImageClassifier(classifierPath, onDevice));
            // What image folders are resized to: the classifier's own input (an exported Inception takes 3×299×299).
            Func<(int Channels, int Size)> shape = () => inception ? (3, 299)
                : lazy.Value is OnnxImageClassifier onnx ? (onnx.InputShape[0], onnx.InputShape[1]) : (1, 28);
            using var disposeClassifier = new Holder(lazy);                 // opened only when images need features
            var a = Load(parse.GetValue(real)!, lazy, shape);
            var b = Load(parse.GetValue(fake)!, lazy, shape);
            foreach (var set in new[] { a, b })
                if (set.RankDeficient) error.WriteLine($"warning: {set.Source} has no more samples than feature dimensions: its covariance is rank-deficient and FID biased");
            // libtorch's LAPACK eigensolver: seconds at 2048 dimensions, where the managed one needs minutes.
            var evaluator = new GenerationEvaluator(new GenerationEvaluatorOptions { Eigensolver = new LapackEigensolver() });
            if (b.Features is { } fakeFeatures)
            {
                var generated = new ImageFeatures(fakeFeatures, lazy.Value.FeatureSize, b.Probabilities, lazy.Value.Classes);
                var metrics = a.Features is { } realFeatures
                    ? evaluator.Evaluate(generated, new ImageFeatures(realFeatures, lazy.Value.FeatureSize))
                    : evaluator.Evaluate(generated, a.Mean, a.Covariance);
                output.WriteLine(metrics with { IsRankDeficient = false });   // the warning went to stderr, per set
            }
            else
            {
                double fid = evaluator.FrechetDistance(a.Mean, a.Covariance, b.Mean, b.Covariance);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FID: {fid:F4}"));
            }
            if (parse.GetValue(saveStats) is { } stats)
            {
                StatisticsFile.Save(stats.FullName, b.Mean, b.Covariance);
                output.WriteLine($"wrote {stats.FullName}");
            }
            return 0;
        });
        return command;
    }

    private sealed record Set(string Source, double[] Mean, double[] Covariance, float[]? Features, float[]? Probabilities, bool RankDeficient);

    private sealed class Holder(Lazy<IImageFeatureExtractor> lazy) : IDisposable
    {
        public void Dispose()
        {
            if (lazy.IsValueCreated) lazy.Value.Dispose();
        }
    }

    private static Set Load(string source, Lazy<IImageFeatureExtractor> extractor, Func<(int Channels, int Size)> folderShape)
    {
        float[] pixels;
        int c, h, w;
        if (source == "fashion-mnist-test")
        {
            pixels = FashionMnist.Load(IdxSplit.Test).ToFloatArray();
            (c, h, w) = (1, FashionMnist.ImageSize, FashionMnist.ImageSize);
        }
        else if (Directory.Exists(source))
        {
            var folder = ImageFolderDataset.Open(source, new ImageFolderOptions { ImageSize = folderShape().Size, Channels = folderShape().Channels });
            (c, h, w) = (folder.Channels, folder.Height, folder.Width);
            pixels = new float[(long)folder.Count * c * h * w];
            folder.CopyImages(0, folder.Count, pixels);
        }
        else
        {
            var arrays = NpyArray.ReadNpz(source);
            if (arrays.ContainsKey("mu"))
            {
                var (mu, sigma) = StatisticsFile.Load(source);
                return new Set(source, mu, sigma, null, null, false);
            }
            if (!arrays.TryGetValue("arr_0", out var images) || images.Shape.Length != 4)
                throw new InvalidDataException($"{source}: neither statistics (mu, sigma) nor samples (arr_0 as N×H×W×C uint8)");
            int n;
            (n, h, w, c) = ((int)images.Shape[0], (int)images.Shape[1], (int)images.Shape[2], (int)images.Shape[3]);
            var bytes = images.Data;
            pixels = new float[bytes.Length];
            long image = (long)c * h * w;
            for (int i = 0; i < n; i++)                                     // NHWC uint8 → NCHW [−1, 1]
                PixelConversion.HwcBytesToChw(bytes.AsSpan((int)(i * image), (int)image), pixels.AsSpan((int)(i * image), (int)image), c, h, w);
        }
        var (features, probabilities) = extractor.Value.Extract(pixels, c, h, w);
        var stats = new FeatureStatistics(extractor.Value.FeatureSize);
        stats.Add(features);
        var (mean, cov) = stats.Compute();
        return new Set(source, mean, cov, features, probabilities, stats.IsRankDeficient);
    }
}
