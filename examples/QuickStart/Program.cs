// DitML quick start: the shipped class-conditional Fashion-MNIST DiT generates every class inside an ML.NET pipeline
// (DPM-Solver++(2M), 20 steps, the model's default guidance), the project's classifier scores the samples, and a PNG
// grid (a row per class) is written.
//
//   dotnet run -c Release --project examples/QuickStart -- [--per-class 30] [--out quickstart.png] [--models DIR]
using System.Diagnostics;
using System.Globalization;
using DitML.Imaging;
using DitML.ML;
using Microsoft.ML;
using Microsoft.ML.Data;

int perClass = int.Parse(Arg("--per-class", "30"), CultureInfo.InvariantCulture);
string output = Arg("--out", "quickstart.png");
string models = Array.IndexOf(args, "--models") >= 0 ? Arg("--models", "") : FindModels();
string modelPath = Path.Combine(models, "model.onnx");
string classifierPath = Path.Combine(models, "classifier.onnx");
string statisticsPath = Path.Combine(models, "test-stats.npz");
string[] classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

var watch = Stopwatch.StartNew();
var ml = new MLContext(seed: 0);

// One row per image to generate: the class to draw and a seed. The same seed always gives the same image.
var requests = ml.Data.LoadFromEnumerable(
    Enumerable.Range(0, classNames.Length * perClass).Select(i => new Request { Label = i / perClass, Seed = i }));

var pipeline = ml.Transforms.DiffusionGenerate(modelPath)              // adds Image (MLImage) and Pixels (CHW in [−1, 1])
    .Append(ml.Transforms.ExtractImageFeatures(classifierPath))         // adds Features and Probabilities
    .Append(ml.Transforms.DropColumns("Image"));
var model = pipeline.Fit(requests);

// Generation is lazy: cache the scored rows so the grid and the metrics read the same images once.
var scored = ml.Data.Cache(model.Transform(requests));

var pixels = scored.GetColumn<float[]>("Pixels").ToArray();
int side = (int)Math.Sqrt(pixels[0].Length);
int columns = Math.Min(perClass, 10);
var grid = Enumerable.Range(0, classNames.Length)
    .SelectMany(c => pixels.Skip(c * perClass).Take(columns))
    .SelectMany(p => p).ToArray();
ImageGrid.SavePng(output, grid, classNames.Length * columns, 1, side, side, columns, scale: 2);

var metrics = ml.Generation().Evaluate(scored, statisticsPath);
var predicted = scored.GetColumn<float[]>("Probabilities").Select(p => Array.IndexOf(p, p.Max())).ToArray();
Console.WriteLine($"wrote {Path.GetFullPath(output)}: {classNames.Length} classes × {columns} (rows = classes)");
Console.WriteLine(metrics);
for (int c = 0; c < classNames.Length; c++)
{
    int hits = predicted.Skip(c * perClass).Take(perClass).Count(p => p == c);
    Console.WriteLine($"  {classNames[c],-12} {hits,3}/{perClass} classified as asked");
}
Console.WriteLine($"{pixels.Length} images generated and scored in {watch.Elapsed.TotalSeconds:F1} s");
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
