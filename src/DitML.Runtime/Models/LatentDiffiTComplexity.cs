namespace DitML.Models;

/// <summary>
/// Parameter counts and forward cost of latent DiffiT, computed from the config without building the model (the released
/// DiffiT-XL/2 at latent 32 has 561,330,144 parameters, the fixed <c>pos_embed</c> included; the int64
/// <c>relative_position_index</c> buffers are not parameters). "Gflops" follow <see cref="DiTComplexity"/>'s (the DiT
/// paper's) convention: multiply-accumulates of one forward pass of one sample, in units of 10⁹.
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

    /// <summary>
    /// Multiply-accumulates of one forward pass of one sample. Counted: every Linear and the patch-embedding convolution,
    /// and attention's two matrix products; not counted (as in DiT's figures): normalization, softmax, activations, the
    /// relative-position-bias and bias additions, and the label lookup. Against DiT: no adaLN, but each block projects the
    /// time token to q, k, v once per sample (<c>qkv_temb</c>, D → 3D), and the final layer is a plain Linear. Equal to
    /// PyTorch's profiler count of the reference model's mm/addmm/bmm/conv2d (tests/Fixtures/diffit/flops.json).
    /// </summary>
    public static long MultiplyAccumulates(LatentDiffiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        long d = config.HiddenSize, t = config.NumPatches, h = config.MlpHiddenSize;
        long p2 = (long)config.PatchSize * config.PatchSize;
        long total = t * d * config.InChannels * p2;                            // patch embedding
        total += DiTComplexity.TimestepFrequencySize * d + d * d;               // timestep MLP
        long block = t * d * 3 * d + d * 3 * d                                  // qkv, qkv_temb (the time token)
            + 2 * t * t * d + t * d * d + 2 * t * d * h;                        // attention, proj, MLP
        total += config.Depth * block;
        return total + t * d * p2 * config.OutChannels;                         // final linear
    }

    /// <summary>The DiT paper's "Gflops": <see cref="MultiplyAccumulates"/> / 10⁹ (multiply-accumulates, not 2× them).</summary>
    public static double Gflops(LatentDiffiTConfig config) => MultiplyAccumulates(config) / 1e9;

    /// <summary>The fixed position embedding, T·D.</summary>
    public static long PositionEmbedding(LatentDiffiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (long)config.NumPatches * config.HiddenSize;
    }

    private static long Linear(long inFeatures, long outFeatures) => inFeatures * outFeatures + outFeatures;
}
