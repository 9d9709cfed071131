using System.CommandLine;
using DitML.Classifiers.Inception;

namespace DitML.Cli.Commands;

/// <summary>
/// `ditml export-inception`: FID InceptionV3 (pytorch-fid's weights) to an ONNX classifier for an image shape, so FID,
/// IS and precision/recall with Inception features run on ONNX Runtime (`ditml fid --classifier`, ExtractImageFeatures).
/// </summary>
internal static class ExportInceptionCommand
{
    public static Command Create(TextWriter output)
    {
        var weights = new Option<FileInfo>("--weights") { Description = $"pytorch-fid's {FidInceptionV3.WeightsFileName} (or the same tensors as .safetensors); never downloaded.", DefaultValueFactory = _ => new FileInfo(FidInceptionV3.WeightsFileName) };
        var outPath = new Option<FileInfo>("--out") { Description = "The .onnx file to write.", Required = true };
        var channels = new Option<int>("--channels") { Description = "Channels of the images: 3, or 1 (repeated to RGB).", DefaultValueFactory = _ => 3 };
        var size = new Option<int>("--image-size") { Description = "Side of the (square) images; resized to 299 inside the graph.", DefaultValueFactory = _ => FidInceptionV3.InputSize };
        var command = new Command("export-inception", "Export FID InceptionV3 to ONNX (input pixels in [−1, 1]; outputs the 2048-d pool3 features and 1008 class probabilities).");
        foreach (var o in new Option[] { weights, outPath, channels, size }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var options = new InceptionOnnxExportOptions { Channels = parse.GetValue(channels), Height = parse.GetValue(size), Width = parse.GetValue(size) }.Validate();
            using var model = FidInceptionV3.Load(parse.GetValue(weights)!.FullName);
            var onnx = InceptionOnnxExporter.Export(model, options);
            string path = parse.GetValue(outPath)!.FullName;
            onnx.Save(path);
            output.WriteLine($"wrote {path}: FID InceptionV3 for {options.Channels}×{options.Height}×{options.Width} images, {onnx.NodeCount} nodes, {onnx.InitializerBytes / 1e6:F1} MB of weights");
            return 0;
        });
        return command;
    }
}
