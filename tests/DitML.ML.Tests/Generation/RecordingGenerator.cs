using DitML.Generation;

namespace DitML.ML.Tests.Generation;

/// <summary>
/// A stand-in generator for testing the ML.NET plumbing: pixel (c, i) = a fixed function of (label, seed, c, i), with
/// some values outside [−1, 1] to exercise clamping. Records every batch it is asked for.
/// </summary>
internal sealed class RecordingGenerator(int channels = 1, int size = 4, int classes = 10) : IImageGenerator
{
    public List<(long[] Labels, long[] Seeds)> Calls { get; } = [];

    public int Channels => channels;

    public int Height => size;

    public int Width => size;

    public int NumClasses => classes;

    public static float Pixel(long label, long seed, int index) => (float)Math.Sin(label * 1.7 + seed * 0.31 + index * 0.13) * 1.2f;

    public void Generate(ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, Span<float> pixels, IProgress<GenerationProgress>? progress = null)
    {
        Calls.Add((labels.ToArray(), seeds.ToArray()));
        int n = Channels * Height * Width;
        for (int r = 0; r < labels.Length; r++)
            for (int i = 0; i < n; i++) pixels[r * n + i] = Pixel(labels[r], seeds[r], i);
    }
}
