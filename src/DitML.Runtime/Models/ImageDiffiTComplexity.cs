namespace DitML.Models;

/// <summary>
/// Parameter counts of image-space DiffiT, computed from the config without building the model (the paper reports
/// none; the int64 <c>relative_position_index</c> buffers are not parameters).
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
