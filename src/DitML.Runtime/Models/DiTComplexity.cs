namespace DitML.Models;

/// <summary>
/// Parameter count and forward cost of a DiT config, computed from its structure (no model is built, no libtorch).
/// "Gflops" follow the DiT paper: multiply-accumulates of one forward pass of one sample, in units of 10⁹. Counted:
/// every Linear and the patch-embedding convolution, and the two attention matrix products; not counted (as in the
/// paper's figures): normalization, softmax, activations, modulation and the label lookup.
/// </summary>
public static class DiTComplexity
{
    /// <summary>Width of the sinusoidal timestep features fed to the timestep MLP.</summary>
    public const int TimestepFrequencySize = 256;

    /// <summary>Number of conditioning tokens of the cross-attention and in-context designs (timestep, class).</summary>
    public const int ConditioningTokens = 2;

    /// <summary>Parameters of the model, the fixed position embedding included (it is in the official state_dict).</summary>
    public static long Parameters(DiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        long d = config.HiddenSize, t = config.NumPatches, h = config.MlpHiddenSize;
        long patchOut = (long)config.PatchSize * config.PatchSize * config.OutChannels;

        long total = t * d;                                                     // pos_embed
        total += (long)config.InChannels * config.PatchSize * config.PatchSize * d + d; // x_embedder.proj
        total += TimestepFrequencySize * d + d + d * d + d;                     // t_embedder.mlp.0, .2
        total += config.LabelTableSize * d;                                     // y_embedder.embedding_table

        long attention = Linear(d, 3 * d) + Linear(d, d);
        if (config.TimeDependentAttention)
            attention += d * 3 * d + RelativePositionBiasSize(config);         // attn.qkv_t, relative_position_bias_table
        long mlp = Linear(d, h) + Linear(h, d);
        long block = config.Conditioning switch
        {
            DiTConditioning.AdaLNZero => attention + mlp + Linear(d, 6 * d),
            DiTConditioning.AdaLN => attention + mlp + Linear(d, 4 * d),
            DiTConditioning.CrossAttention => attention + mlp + Linear(d, d) + Linear(d, 2 * d) + Linear(d, d) + 3 * 2 * d,
            DiTConditioning.InContext => attention + mlp + 2 * 2 * d,
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        };
        total += config.Depth * block;

        total += Linear(d, patchOut);                                           // final_layer.linear
        total += UsesAdaptiveNorm(config) ? Linear(d, 2 * d) : 2 * d;           // adaLN_modulation.1, or affine norm
        return total;
    }

    /// <summary>Multiply-accumulates of one forward pass of one sample.</summary>
    public static long MultiplyAccumulates(DiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        long d = config.HiddenSize, t = config.NumPatches, h = config.MlpHiddenSize;
        long p2 = (long)config.PatchSize * config.PatchSize;
        long tokens = config.Conditioning == DiTConditioning.InContext ? t + ConditioningTokens : t;

        long total = t * d * config.InChannels * p2;                            // patch embedding
        total += TimestepFrequencySize * d + d * d;                             // timestep MLP

        long block = tokens * d * 3 * d + 2 * tokens * tokens * d + tokens * d * d + 2 * tokens * d * h;
        if (config.TimeDependentAttention) block += d * 3 * d;                  // time token's q, k, v
        block += config.Conditioning switch
        {
            DiTConditioning.AdaLNZero => d * 6 * d,
            DiTConditioning.AdaLN => d * 4 * d,
            DiTConditioning.CrossAttention =>
                tokens * d * d + ConditioningTokens * d * 2 * d + 2 * tokens * ConditioningTokens * d + tokens * d * d,
            _ => 0,
        };
        total += config.Depth * block;

        if (UsesAdaptiveNorm(config)) total += d * 2 * d;                       // final adaLN
        total += t * d * p2 * config.OutChannels;                               // final linear
        return total;
    }

    /// <summary>The paper's "Gflops": <see cref="MultiplyAccumulates"/> / 10⁹.</summary>
    public static double Gflops(DiTConfig config) => MultiplyAccumulates(config) / 1e9;

    /// <summary>Entries of DiffiT's relative position bias table: (2G − 1)² offsets × heads.</summary>
    public static long RelativePositionBiasSize(DiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long side = 2L * config.GridSize - 1;
        return side * side * config.NumHeads;
    }

    /// <summary>True for the designs whose final layer is modulated by the conditioning vector.</summary>
    public static bool UsesAdaptiveNorm(DiTConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Conditioning is DiTConditioning.AdaLNZero or DiTConditioning.AdaLN;
    }

    private static long Linear(long inFeatures, long outFeatures) => inFeatures * outFeatures + outFeatures;
}
