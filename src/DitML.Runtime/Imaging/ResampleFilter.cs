namespace DitML.Imaging;

/// <summary>Reconstruction filters of <see cref="Resampler"/>, with the same kernels and supports as PIL.</summary>
public enum ResampleFilter
{
    /// <summary>Box (support 0.5): each output pixel averages the input pixels its footprint covers; exact 2× shrink = mean of 2×2 blocks.</summary>
    Box,

    /// <summary>Triangle (support 1).</summary>
    Bilinear,

    /// <summary>Keys cubic convolution with a = −0.5 (support 2), PIL's <c>BICUBIC</c>.</summary>
    Bicubic,
}
