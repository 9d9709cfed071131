namespace DitML.Models;

/// <summary>How a DiT block receives the timestep and class (the four designs the DiT paper compares, §3.2).</summary>
public enum DiTConditioning
{
    /// <summary>Adaptive LayerNorm whose shift/scale and residual gates are regressed from the conditioning vector, with
    /// the regressing layers zero-initialized so every block starts as the identity. The paper's best; the default.</summary>
    AdaLNZero,

    /// <summary>Adaptive LayerNorm with shift/scale regressed from the conditioning vector, no residual gates.</summary>
    AdaLN,

    /// <summary>The timestep and class embeddings form a length-two sequence that each block attends to through an
    /// extra cross-attention layer after self-attention.</summary>
    CrossAttention,

    /// <summary>The timestep and class embeddings are appended to the image tokens as two extra tokens and removed
    /// after the last block; blocks are plain ViT blocks.</summary>
    InContext,
}
