using DitML.Models;

namespace DitML.Examples.DiffiTComparison;

/// <summary>
/// Multiply-accumulates of one forward pass of one image (the DiT paper's "Gflops" × 10⁹) for the two DiffiT families,
/// counted the way <see cref="DiTComplexity.MultiplyAccumulates"/> counts DiT's: matrix products, attention's two
/// products and convolutions; norms, activations, softmax and bias additions are left out. DiT's own count is
/// <see cref="DiTComplexity.MultiplyAccumulates"/>.
/// </summary>
internal static class ForwardCost
{
    /// <summary>
    /// Latent DiffiT: DiT's embedders and per-token products, but no adaLN; instead each block projects the time token to
    /// q, k, v once per image (<c>qkv_temb</c>, D → 3D), and the final layer is a plain Linear.
    /// </summary>
    public static long LatentDiffiT(LatentDiffiTConfig config)
    {
        long d = config.HiddenSize, t = config.NumPatches, h = config.MlpHiddenSize;
        long p2 = (long)config.PatchSize * config.PatchSize;
        long total = t * d * config.InChannels * p2;                            // patch embedding
        total += DiTComplexity.TimestepFrequencySize * d + d * d;               // timestep MLP
        long block = t * d * 3 * d + d * 3 * d                                  // qkv, qkv_temb (the time token)
            + 2 * t * t * d + t * d * d + 2 * t * d * h;                        // attention, proj, MLP
        total += config.Depth * block;
        return total + t * d * p2 * config.OutChannels;                         // final linear
    }

    /// <summary>
    /// Image DiffiT: the time MLP, the tokenizer and head convolutions, every ResBlock of the encoder and the decoder
    /// (Conv3×3, qkv, qkv_temb, windowed attention, proj, MLP) and the down/upsampling and skip-merge convolutions.
    /// </summary>
    public static long ImageDiffiT(ImageDiffiTConfig config)
    {
        long te = config.TimeEmbedDim, size = config.ImageSize, cin = config.InChannels, c0 = config.StageChannels[0];
        long window = (long)config.WindowSize * config.WindowSize;
        long total = DiTComplexity.TimestepFrequencySize * te + te * te;        // t_embedder
        total += 2 * size * size * 9 * cin * c0;                                // tokenizer and head
        for (int s = 0; s < config.Stages; s++)
        {
            long r = config.Resolution(s), n = r * r, c = config.StageChannels[s], h = config.MlpHiddenSize(config.StageChannels[s]);
            long resBlock = n * 9 * c * c                                       // Conv3×3
                + n * 3 * c * c + te * 3 * c                                    // qkv, qkv_temb
                + 2 * n * window * c                                            // attention inside w×w windows
                + n * c * c + 2 * n * c * h;                                    // proj, MLP
            total += 2L * config.BlocksPerStage[s] * resBlock;                  // encoder and decoder
        }
        for (int s = 0; s + 1 < config.Stages; s++)
        {
            long r = config.Resolution(s), n = r * r, c = config.StageChannels[s], next = config.StageChannels[s + 1];
            total += n / 4 * 9 * c * next                                       // downsample: stride-2 Conv3×3
                + n * 9 * next * c                                              // upsample: nearest ×2, Conv3×3
                + n * 2 * c * c;                                                // skip merge: Conv1×1 2C → C
        }
        return total;
    }
}
