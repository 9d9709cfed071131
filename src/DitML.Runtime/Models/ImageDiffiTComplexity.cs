namespace DitML.Models;

/// <summary>
/// Parameter counts and forward cost of image-space DiffiT, computed from the config without building the model (the
/// paper reports neither for its image models; the int64 <c>relative_position_index</c> buffers are not parameters).
/// "Gflops" follow <see cref="DiTComplexity"/>'s (the DiT paper's) convention: multiply-accumulates of one forward pass
/// of one sample, in units of 10⁹.
/// </summary>
public static class ImageDiffiTComplexity
{
    /// <summary>Every parameter of the network.</summary>
    public static long Parameters(ImageDiffiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        long te = config.TimeEmbedDim, c0 = config.StageChannels[0], cin = config.InChannels;
        long total = Linear(DiTComplexity.TimestepFrequencySize, te) + Linear(te, te);  // t_embedder.mlp.0, .2
        total += (long)config.LabelTableSize * te;                                      // y_embedder.embedding_table
        total += Conv(cin, c0, 3);                                                      // tokenizer
        for (int s = 0; s < config.Stages; s++)
            total += 2L * config.BlocksPerStage[s] * ResBlock(config, config.StageChannels[s]); // encoder and decoder
        for (int s = 0; s + 1 < config.Stages; s++)
        {
            long c = config.StageChannels[s], next = config.StageChannels[s + 1];
            total += Conv(c, next, 3) + Conv(next, c, 3) + Conv(2 * c, c, 1);           // downsample, upsample, skip merge
        }
        return total + 2 * c0 + Conv(c0, cin, 3);                                       // head_norm, head
    }

    /// <summary>
    /// Multiply-accumulates of one forward pass of one sample (one evaluation of the EDM network F; a Heun step takes
    /// two). Counted: the time MLP, the tokenizer and head convolutions, every ResBlock of the encoder and the decoder
    /// (Conv3×3, qkv, qkv_temb, attention's two products inside each w×w window, proj, MLP) and the down/upsampling and
    /// skip-merge convolutions; not counted (as in DiT's figures): GroupNorm, LayerNorm, SiLU/GELU, softmax, the
    /// relative-position-bias, residual and bias additions, the nearest-neighbour upsampling, EDM's preconditioning
    /// scalings and the label lookup. Equal to PyTorch's profiler count of the reference model's mm/addmm/bmm/conv2d
    /// (tests/Fixtures/diffit/flops.json).
    /// </summary>
    public static long MultiplyAccumulates(ImageDiffiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        long te = config.TimeEmbedDim, size = config.ImageSize, cin = config.InChannels, c0 = config.StageChannels[0];
        long window = (long)config.WindowSize * config.WindowSize;
        long total = DiTComplexity.TimestepFrequencySize * te + te * te;        // t_embedder
        total += 2 * size * size * 9 * cin * c0;                                // tokenizer and head
        for (int s = 0; s < config.Stages; s++)
        {
            long r = config.Resolution(s), n = r * r, c = config.StageChannels[s], h = config.MlpHiddenSize(config.StageChannels[s]);
            long resBlock = n * 9 * c * c                                       // Conv3×3
                + n * 3 * c * c + te * 3 * c                                    // qkv, qkv_temb (once per sample)
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

    /// <summary>The DiT paper's "Gflops": <see cref="MultiplyAccumulates"/> / 10⁹ (multiply-accumulates, not 2× them).</summary>
    public static double Gflops(ImageDiffiTConfig config) => MultiplyAccumulates(config) / 1e9;

    /// <summary>
    /// One DiffiT ResBlock of width C: GroupNorm (2C), Conv3×3, and the transformer block's qkv, qkv_temb (from the time
    /// token, with bias), the ((2w − 1)², heads) bias table, proj and the MLP (its LayerNorms have no parameters).
    /// </summary>
    public static long ResBlock(ImageDiffiTConfig config, int channels)
    {
        ArgumentNullException.ThrowIfNull(config);
        long c = channels, h = config.MlpHiddenSize(channels);
        long attention = Linear(c, 3 * c) + Linear(config.TimeEmbedDim, 3 * c) + (long)config.RelativePositionCount * config.Heads(channels) + Linear(c, c);
        return 2 * c + Conv(c, c, 3) + attention + Linear(c, h) + Linear(h, c);
    }

    private static long Linear(long inFeatures, long outFeatures) => inFeatures * outFeatures + outFeatures;

    private static long Conv(long inChannels, long outChannels, long kernel) => inChannels * outChannels * kernel * kernel + outChannels;
}
