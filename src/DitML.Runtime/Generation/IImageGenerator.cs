namespace DitML.Generation;

/// <summary>
/// Generates class-conditional images. Each row's image depends only on its own label and seed (and the generator's
/// settings), never on which other rows share its batch, so results are reproducible row by row.
/// </summary>
public interface IImageGenerator
{
    /// <summary>Channels of a generated image (1 grayscale, 3 RGB).</summary>
    int Channels { get; }

    /// <summary>Height in pixels.</summary>
    int Height { get; }

    /// <summary>Width in pixels.</summary>
    int Width { get; }

    /// <summary>Number of classes; valid labels are 0..NumClasses−1.</summary>
    int NumClasses { get; }

    /// <summary>The classes' names in id order (an exported model's <c>--class-names</c>), or null when it has none.</summary>
    IReadOnlyList<string>? ClassNames => null;

    /// <summary>
    /// Generates one image per (label, seed) into <paramref name="pixels"/>: (N, C, H, W) float in [−1, 1].
    /// </summary>
    void Generate(ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, Span<float> pixels, IProgress<GenerationProgress>? progress = null);

    /// <summary>
    /// <see cref="Generate(ReadOnlySpan{long}, ReadOnlySpan{long}, Span{float}, IProgress{GenerationProgress}?)"/> that
    /// stops when <paramref name="cancellationToken"/> is cancelled: DitML's generators check it between sampler steps;
    /// this default, for other generators, checks it before generating.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    void Generate(ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, Span<float> pixels, IProgress<GenerationProgress>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Generate(labels, seeds, pixels, progress);
    }
}
