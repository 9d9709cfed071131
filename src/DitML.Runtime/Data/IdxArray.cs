namespace DitML.Data;

/// <summary>The content of an unsigned-byte IDX file (the MNIST format): its dimensions and row-major data.</summary>
/// <param name="Dimensions">Sizes from the header, outermost first (count, rows, columns for image files).</param>
/// <param name="Data">The values, product(Dimensions) bytes.</param>
public sealed record IdxArray(int[] Dimensions, byte[] Data);
