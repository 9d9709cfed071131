// DitML quick start: the shipped class-conditional Fashion-MNIST DiT generates every class inside an ML.NET pipeline
// (DPM-Solver++(2M), 20 steps, the model's default guidance), the project's classifier scores the samples, and a PNG
// grid (a row per class) is written.
//
//   dotnet run -c Release --project examples/QuickStart -- [--per-class 30] [--out quickstart.png] [--models DIR]
//                                                          [--device cpu|cuda|cuda:N|auto]
//
// On a GPU: build with -p:DitMLDevice=cuda (ONNX Runtime's CUDA provider; needs CUDA 13 and cuDNN 9) and pass
// --device cuda. Where CUDA cannot be used, it says what is missing and exits with code 2 before generating anything.
using System.Diagnostics;
using System.Globalization;
using DitML.Generation;
using DitML.Imaging;
using DitML.ML;
using DitML.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

int perClass = int.Parse(Arg("--per-class", "30"), CultureInfo.InvariantCulture);
string output = Arg("--out", "quickstart.png");
string models = Array.IndexOf(args, "--models") >= 0 ? Arg("--models", "") : FindModels();
string modelPath = Path.Combine(models, "model.onnx");
string classifierPath = Path.Combine(models, "classifier.onnx");
string statisticsPath = Path.Combine(models, "test-stats.npz");
var device = OnnxDevice.Parse(Arg("--device", "cpu"));
string[] classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

var watch = Stopwatch.StartNew();
var ml = new MLContext(seed: 0);

// One row per image to generate: the class to draw and a seed. The same seed always gives the same image. Classes take
// turns (0, 1, …, 9, 0, 1, …): the Inception Score is computed over 10 consecutive splits, which must each hold every class.
int classes = classNames.Length;
var requests = ml.Data.LoadFromEnumerable(
    Enumerable.Range(0, classes * perClass).Select(i => new Request { Label = i % classes, Seed = i }));

IEstimator<ITransformer> pipeline;
try
{
    pipeline = ml.Transforms.DiffusionGenerate(modelPath, new DiffusionGeneratorOptions { Device = device })  // adds Image (MLImage) and Pixels (CHW in [−1, 1])
        .Append(ml.Transforms.ExtractImageFeatures(classifierPath, device))                                  // adds Features and Probabilities
        .Append(ml.Transforms.DropColumns("Image"));
}
catch (DeviceUnavailableException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
var model = pipeline.Fit(requests);

// Generation is lazy: cache the scored rows, every column at once, so the grid and the metrics read the same images and
// nothing is generated twice (ML.NET otherwise fills a cached column on first use, with another pass upstream).
var scored = ml.Data.Cache(model.Transform(requests), "Label", "Seed", "Pixels", "Features", "Probabilities");

var pixels = scored.GetColumn<float[]>("Pixels").ToArray();
int side = (int)Math.Sqrt(pixels[0].Length);
int columns = Math.Min(perClass, 10);
var grid = Enumerable.Range(0, classes)
    .SelectMany(c => Enumerable.Range(0, columns).Select(k => pixels[k * classes + c]))    // row c: the first images of class c
    .SelectMany(p => p).ToArray();
ImageGrid.SavePng(output, grid, classes * columns, 1, side, side, columns, scale: 2);

var metrics = ml.Generation().Evaluate(scored, statisticsPath);
var predicted = scored.GetColumn<float[]>("Probabilities").Select(p => Array.IndexOf(p, p.Max())).ToArray();
Console.WriteLine($"wrote {Path.GetFullPath(output)}: {classes} classes × {columns} (rows = classes)");
Console.WriteLine(metrics);
for (int c = 0; c < classes; c++)
{
    int hits = Enumerable.Range(0, perClass).Count(k => predicted[k * classes + c] == c);
    Console.WriteLine($"  {classNames[c],-12} {hits,3}/{perClass} classified as asked");
}
Console.WriteLine($"{pixels.Length} images generated and scored on {device.Resolve()} in {watch.Elapsed.TotalSeconds:F1} s");
return 0;

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

// The shipped model lives in examples/models/fashion-mnist; find it from the working directory or the build output.
static string FindModels()
{
    foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "examples", "models", "fashion-mnist");
            if (File.Exists(Path.Combine(candidate, "model.onnx"))) return candidate;
        }
    throw new FileNotFoundException("the shipped model examples/models/fashion-mnist/model.onnx was not found; run from the repository or pass --models DIR");
}

internal sealed class Request
{
    public long Label { get; set; }
    public long Seed { get; set; }
}
