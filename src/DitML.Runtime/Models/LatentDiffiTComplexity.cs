namespace DitML.Models;

/// <summary>
/// Parameter counts of latent DiffiT, computed from the config without building the model (the released
/// DiffiT-XL/2 at latent 32 has 561,330,144, the fixed <c>pos_embed</c> included; the int64
/// <c>relative_position_index</c> buffers are not parameters).
/// </summary>
public static class LatentDiffiTComplexity
{
    /// <summary>Every parameter of the model, trainable or not (pos_embed included).</summary>
    public static long Parameters(LatentDiffiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return PositionEmbedding(config) + Trainable(config);
    }

    /// <summary>The trainable parameters (all but the fixed sin-cos <c>pos_embed</c>).</summary>
    public static long Trainable(LatentDiffiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long d = config.HiddenSize, p = config.PatchSize;
        long patch = d * config.InChannels * p * p + d;
        long time = Linear(DiTComplexity.TimestepFrequencySize, d) + Linear(d, d);
        long labels = config.LabelTableSize * d;
        long final = Linear(d, p * p * config.OutChannels);
        return patch + time + labels + config.Depth * PerBlock(config) + final;
    }

    /// <summary>One block: qkv and qkv_temb (3D each, with bias), proj, fc1, fc2 and the (2W − 1)² × H bias table.</summary>
    public static long PerBlock(LatentDiffiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long d = config.HiddenSize, h = config.MlpHiddenSize;
        return 2 * Linear(d, 3 * d) + Linear(d, d) + Linear(d, h) + Linear(h, d) + (long)config.RelativePositionCount * config.NumHeads;
    }

    /// <summary>The fixed position embedding, T·D.</summary>
    public static long PositionEmbedding(LatentDiffiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (long)config.NumPatches * config.HiddenSize;
    }

    private static long Linear(long inFeatures, long outFeatures) => inFeatures * outFeatures + outFeatures;
}
