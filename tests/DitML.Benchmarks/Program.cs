using DitML.Benchmarks;
using DitML.Dit;

var command = args.FirstOrDefault() ?? "help";
switch (command)
{
    case "samplers":
        SamplerBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "onnx":
        OnnxBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "int8":
        QuantizationBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "int8-quality":
        QuantizationQualityBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "export-memory":
        ExportMemoryBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "precision-ops":
        PrecisionOpsBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "train":
        TrainingBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "conv":
        ConvolutionBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "concurrency":
        ConcurrencyBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    case "device":
        return DeviceBenchmark.Run(args.Skip(1).ToArray());
    case "fid":
        FidBenchmark.Run(args.Skip(1).ToArray());
        return 0;
    default:
        Console.WriteLine("usage: dotnet run -c Release --project tests/DitML.Benchmarks -- samplers [--model DiT-S/8] [--images 4] | onnx [--model DiT-S/4] [--batch 16] | int8 [--model DiT-S/4] [--batch 16] [--steps 10] | int8-quality [--reference examples/models/fashion-mnist] [--per-class 30] [--cfg 3] | export-memory [--model DiT-B/2] [--precision fp32] [--verify] [--write-checkpoint FILE] | device [--models DiT-S/4,DiT-XL/2] [--batch 16] [--steps 10] [--device cuda] (GPU build) | fid [--dims 512,1024,2048] | train [--model DiT-S/4 | --depth 6 --hidden-size 192 --heads 3 --patch 4 --size 28 --channels 1 --classes 10] [--batch 32] [--steps 4] [--threads N] | precision-ops [--batch 32] [--rounds 5] | conv [--batch 32] [--size 28] [--rounds 3] | concurrency [--model DiT-S/4] [--size 16] [--steps 10] [--images 16] [--threads 1] [--concurrency 1,2,4,8]");
        return command == "help" ? 0 : 2;
}
