using DitML.Data;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>Measures a VAE on images: reconstruction error (PSNR) and the spread of its latents.</summary>
public static class VaeReconstruction
{
    /// <summary>
    /// Encodes the first <paramref name="maxImages"/> images of <paramref name="data"/> to their posterior means, decodes
    /// them, and reports the reconstruction error and the latents' standard deviation. No gradients; eval mode.
    /// </summary>
    /// <exception cref="ArgumentException">The data is empty or its channels do not match the VAE.</exception>
    public static VaeReconstructionReport Measure(AutoencoderKL vae, IImageDataset data, int maxImages = 1000, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(vae);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxImages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (data.Count == 0) throw new ArgumentException("the dataset is empty", nameof(data));
        if (data.Channels != vae.Config.InChannels)
            throw new ArgumentException($"the data has {data.Channels} channels but the VAE takes {vae.Config.InChannels}", nameof(data));
        int n = Math.Min(maxImages, data.Count), plane = data.Channels * data.Height * data.Width;
        double squaredError = 0, latentSum = 0, latentSquares = 0;
        long latentCount = 0;
        vae.eval();
        using var _ = no_grad();
        for (int start = 0; start < n; start += batchSize)
        {
            int b = Math.Min(batchSize, n - start);
            var pixels = new float[b * plane];
            data.CopyImages(start, b, pixels);
            using var scope = NewDisposeScope();
            var x = tensor(pixels, [b, data.Channels, data.Height, data.Width]).clone();   // (B, C, H, W)
            using var posterior = vae.Encode(x);
            var z = posterior.Mean.to(ScalarType.Float64);                                  // (B, c, h, w)
            var reconstruction = vae.Decode(posterior.Mean);
            squaredError += (reconstruction - x).square().to(ScalarType.Float64).sum().item<double>();
            latentSum += z.sum().item<double>();
            latentSquares += z.square().sum().item<double>();
            latentCount += z.numel();
            GC.KeepAlive(pixels);
        }
        double mean = latentSum / latentCount;
        double variance = Math.Max(0, latentSquares / latentCount - mean * mean);
        return new VaeReconstructionReport(n, squaredError / ((double)n * plane), Math.Sqrt(variance));
    }

    /// <summary>
    /// The first <paramref name="count"/> images of <paramref name="data"/> (at most all of them) and their
    /// reconstructions through the posterior mean (nominally in [−1, 1]), each (n, C, H, W) — for a side-by-side picture.
    /// </summary>
    public static (float[] Originals, float[] Reconstructions) Reconstruct(AutoencoderKL vae, IImageDataset data, int count)
    {
        ArgumentNullException.ThrowIfNull(vae);
        ArgumentNullException.ThrowIfNull(data);
        int n = Math.Min(count, data.Count), plane = data.Channels * data.Height * data.Width;
        var originals = new float[n * plane];
        data.CopyImages(0, n, originals);
        vae.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var x = tensor(originals, [n, data.Channels, data.Height, data.Width]).clone();
        var reconstructions = vae.forward(x).contiguous().data<float>().ToArray();           // (n, C, H, W)
        GC.KeepAlive(originals);
        return (originals, reconstructions);
    }
}
