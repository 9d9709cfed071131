namespace DitML.Models;

/// <summary>
/// The fixed sinusoidal embeddings of DiT, computed in double as the official code does: the 2-D position embedding
/// (MAE's) and the timestep frequencies. Torch-free, so the ONNX exporter and tests share one definition.
/// </summary>
public static class SinCosEmbedding
{
    /// <summary>
    /// 2-D sin-cos position embedding for a <paramref name="gridSize"/>² grid, row-major tokens, as float32 (T, D).
    /// The first D/2 channels encode the column index, the last D/2 the row index (MAE's meshgrid puts w first).
    /// </summary>
    public static float[] Position2D(int embedDim, int gridSize)
    {
        if (embedDim <= 0 || embedDim % 4 != 0)
            throw new ArgumentException($"embedding width must be a positive multiple of 4, got {embedDim}", nameof(embedDim));
        if (gridSize <= 0) throw new ArgumentException($"grid size must be positive, got {gridSize}", nameof(gridSize));
        int half = embedDim / 2;
        var result = new float[gridSize * gridSize * embedDim];
        for (int row = 0; row < gridSize; row++)
        {
            for (int col = 0; col < gridSize; col++)
            {
                var token = result.AsSpan((row * gridSize + col) * embedDim, embedDim);
                Position1D(col, token[..half]);
                Position1D(row, token[half..]);
            }
        }
        return result;
    }

    /// <summary>1-D embedding of one position into <paramref name="destination"/> (width D'): [sin(pos·ω), cos(pos·ω)],
    /// ω_i = 1 / 10000^(i / (D'/2)).</summary>
    public static void Position1D(double position, Span<float> destination)
    {
        int quarter = destination.Length / 2;
        for (int i = 0; i < quarter; i++)
        {
            double omega = 1.0 / Math.Pow(10000.0, i / (double)quarter);
            double angle = position * omega;
            destination[i] = (float)Math.Sin(angle);
            destination[quarter + i] = (float)Math.Cos(angle);
        }
    }

    /// <summary>
    /// The timestep frequencies exp(−ln(10000)·i/(dim/2)), i = 0..dim/2−1, as float32 (the official code computes them in
    /// float32 from arange). Features are [cos(t·f), sin(t·f)] — cos first.
    /// </summary>
    public static float[] TimestepFrequencies(int dim = DiTComplexity.TimestepFrequencySize)
    {
        if (dim <= 0 || dim % 2 != 0) throw new ArgumentException($"timestep feature width must be positive and even, got {dim}", nameof(dim));
        int half = dim / 2;
        var freqs = new float[half];
        for (int i = 0; i < half; i++)
            freqs[i] = MathF.Exp(-MathF.Log(10000f) * i / half);
        return freqs;
    }
}
