using DitML.Generation;

namespace DitML.ML.Generation;

/// <summary>Column names and batching of <see cref="DiffusionGenerateEstimator"/>.</summary>
public sealed record DiffusionGenerateOptions
{
    /// <summary>Input column with the class to generate (Int32, Int64, UInt32, Single, or a key type).</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>Input column with each row's random seed (Int32, Int64, UInt32 or UInt64).</summary>
    public string SeedColumnName { get; init; } = "Seed";

    /// <summary>Output column holding the generated image as an <c>MLImage</c> (RGBA, opaque).</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>Output column holding the pixels: a C×H×W float vector in [−1, 1] (ExtractPixels' layout).</summary>
    public string PixelsColumnName { get; init; } = "Pixels";

    /// <summary>Rows generated together; larger batches are faster per image. Results do not depend on it.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// Hears of every sampler step of every batch this transformer generates (from the thread generating it; concurrent
    /// cursors report concurrently). Not saved with the pipeline.
    /// </summary>
    public IProgress<GenerationProgress>? Progress { get; init; }

    /// <summary>
    /// Stops generation between sampler steps when cancelled: the cursor reading the generated columns throws
    /// <see cref="OperationCanceledException"/>. Not saved with the pipeline.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Checks the settings; returns this.</summary>
    public DiffusionGenerateOptions Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException($"BatchSize must be positive, got {BatchSize}", nameof(BatchSize));
        foreach (var (name, value) in new[] { (nameof(LabelColumnName), LabelColumnName), (nameof(SeedColumnName), SeedColumnName),
                     (nameof(ImageColumnName), ImageColumnName), (nameof(PixelsColumnName), PixelsColumnName) })
        {
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{name} must be a column name", name);
        }
        if (ImageColumnName == PixelsColumnName)
            throw new ArgumentException($"ImageColumnName and PixelsColumnName must differ, both are '{ImageColumnName}'", nameof(PixelsColumnName));
        return this;
    }
}
