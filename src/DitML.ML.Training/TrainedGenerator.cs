using DitML.Generation;
using DitML.ML.Generation;
using Microsoft.ML;

namespace DitML.ML.Training;

/// <summary>What every trainer estimator returns: the DiffusionGenerate transformer over the model it exported.</summary>
internal static class TrainedGenerator
{
    public static DiffusionGenerateTransformer Open(MLContext context, string modelPath, DiffusionGeneratorOptions? generator, DiffusionGenerateOptions generate)
    {
        var requests = context.Data.LoadFromEnumerable(Array.Empty<Request>());  // it reads Label and Seed rows, not the training data
        return context.Transforms.DiffusionGenerate(modelPath, generator, generate).Fit(requests);
    }

    private sealed class Request
    {
        public long Label { get; set; }

        public long Seed { get; set; }
    }
}
