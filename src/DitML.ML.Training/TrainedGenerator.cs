using DitML.Generation;
using DitML.ML.Generation;
using DitML.Training;
using Microsoft.ML;

namespace DitML.ML.Training;

/// <summary>
/// What the trainer estimators share: whether their folder holds a run to resume, their output schema, and what they
/// return, the DiffusionGenerate transformer over the model they exported.
/// </summary>
internal static class TrainedGenerator
{
    /// <summary>True when <paramref name="runDirectory"/> holds a run's checkpoint, which the next Fit resumes.</summary>
    public static bool HoldsRun(string runDirectory) => File.Exists(Path.Combine(runDirectory, TrainingCheckpoint.FileName));

    /// <summary>The fitted generator's output: the input's columns plus the generated ones; the training columns must be there.</summary>
    /// <exception cref="ArgumentException">The pixel or label column is missing, naming the columns there are.</exception>
    public static SchemaShape OutputShape(SchemaShape inputSchema, string pixelsColumnName, string labelColumnName, DiffusionGenerateOptions generate)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var name in new[] { pixelsColumnName, labelColumnName })
            if (!inputSchema.Any(c => c.Name == name))
                throw new ArgumentException($"input has no column '{name}' (columns: {string.Join(", ", inputSchema.Select(c => c.Name))})");
        return GenerationSchema.OutputShape(inputSchema, generate);
    }

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
