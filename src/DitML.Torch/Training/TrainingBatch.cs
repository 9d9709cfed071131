using DitML.Data;
using DitML.Imaging;
using static TorchSharp.torch;

namespace DitML.Training;

/// <summary>
/// A step's batch, as every trainer draws it: the images the seeded <see cref="BatchSchedule"/> picks for the step,
/// each flipped horizontally on a coin drawn from (seed, step) when flips are on, and their labels.
/// </summary>
internal sealed class TrainingBatch
{
    private readonly IImageDataset data;
    private readonly BatchSchedule schedule;
    private readonly long seed;
    private readonly bool flip;
    private readonly float[] pixels;
    private readonly long[] labels;
    private readonly int[] indices;

    public TrainingBatch(IImageDataset data, int batchSize, long seed, bool flip)
    {
        this.data = data;
        this.seed = seed;
        this.flip = flip;
        schedule = new BatchSchedule(data.Count, seed);
        pixels = new float[batchSize * data.Channels * data.Height * data.Width];
        labels = new long[batchSize];
        indices = new int[batchSize];
    }

    /// <summary>The images (N, C, H, W) and labels (N) of step <paramref name="step"/>, as tensors of the current scope.</summary>
    public (Tensor Images, Tensor Labels) Draw(long step)
    {
        int b = indices.Length, plane = data.Channels * data.Height * data.Width;
        schedule.Indices(step, indices);
        var coin = new TrainingRandom(DerivedSeed.Of(seed, step));
        data.CopyImages(indices, pixels);
        for (int i = 0; i < b; i++)
        {
            labels[i] = data.GetLabel(indices[i]);
            if (flip && coin.NextBool()) HorizontalFlip.InPlace(pixels.AsSpan(i * plane, plane), data.Channels, data.Height, data.Width);
        }
        return (tensor(pixels, [b, data.Channels, data.Height, data.Width]), tensor(labels));
    }
}
