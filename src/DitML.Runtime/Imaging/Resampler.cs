namespace DitML.Imaging;

/// <summary>
/// Resizes 8-bit images bit-exactly like PIL's <c>Image.resize</c> (Pillow's separable convolution resampler), which is
/// what DiT's preprocessing runs. The filter is scaled by the shrink factor when downscaling (antialiasing), weights are
/// normalized per output pixel and rounded to 22-bit fixed point, the horizontal pass runs first and its result is
/// rounded to bytes before the vertical pass — each of those details changes pixel values, so all are reproduced.
/// </summary>
public static class Resampler
{
    // PIL: 32 bits minus 8 for the pixel value minus 2 so negative lobes and sums above 1 cannot overflow.
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Returns <paramref name="image"/> resized to <paramref name="width"/>×<paramref name="height"/>; a copy when the size is unchanged.</summary>
    public static ByteImage Resize(ByteImage image, int width, int height, ResampleFilter filter)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Target size must be positive, got {width}×{height}.");
        if (!Enum.IsDefined(filter))
            throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown resample filter.");
        if (width == image.Width && height == image.Height)
            return new ByteImage(width, height, image.Channels, (byte[])image.Pixels.Clone());

        var horizontal = Coefficients.Compute(image.Width, width, filter);
        var vertical = Coefficients.Compute(image.Height, height, filter);

        var source = image;
        if (width != image.Width)
        {
            // Only rows some output row reads are filtered horizontally (as PIL does), and the vertical bounds shift with them.
            int firstRow = vertical.Start[0];
            int endRow = vertical.Start[height - 1] + vertical.Count[height - 1];
            source = ResampleHorizontal(image, width, firstRow, endRow, horizontal);
            for (int i = 0; i < height; i++) vertical.Start[i] -= firstRow;
        }
        return height != image.Height ? ResampleVertical(source, height, vertical) : source;
    }

    private static ByteImage ResampleHorizontal(ByteImage input, int width, int firstRow, int endRow, Coefficients k)
    {
        int channels = input.Channels;
        var output = new ByteImage(width, endRow - firstRow, channels);
        var src = input.Pixels;
        var dst = output.Pixels;
        int inRow = input.Width * channels;
        int outRow = width * channels;
        for (int y = firstRow; y < endRow; y++)
        {
            int rowIn = y * inRow;
            int rowOut = (y - firstRow) * outRow;
            for (int x = 0; x < width; x++)
            {
                int start = k.Start[x], count = k.Count[x], w0 = x * k.Size;
                for (int c = 0; c < channels; c++)
                {
                    int sum = 1 << (PrecisionBits - 1); // rounds the final shift to nearest
                    int p = rowIn + start * channels + c;
                    for (int t = 0; t < count; t++, p += channels) sum += src[p] * k.Weights[w0 + t];
                    dst[rowOut + x * channels + c] = Clip8(sum);
                }
            }
        }
        return output;
    }

    private static ByteImage ResampleVertical(ByteImage input, int height, Coefficients k)
    {
        int channels = input.Channels;
        int rowBytes = input.Width * channels;
        var output = new ByteImage(input.Width, height, channels);
        var src = input.Pixels;
        var dst = output.Pixels;
        for (int y = 0; y < height; y++)
        {
            int start = k.Start[y], count = k.Count[y], w0 = y * k.Size;
            int rowOut = y * rowBytes;
            for (int i = 0; i < rowBytes; i++)
            {
                int sum = 1 << (PrecisionBits - 1);
                int p = start * rowBytes + i;
                for (int t = 0; t < count; t++, p += rowBytes) sum += src[p] * k.Weights[w0 + t];
                dst[rowOut + i] = Clip8(sum);
            }
        }
        return output;
    }

    private static byte Clip8(int value)
    {
        if (value >= 255 << PrecisionBits) return 255;
        if (value <= 0) return 0;
        return (byte)(value >> PrecisionBits);
    }

    /// <summary>Per output pixel: first input index, number of taps and fixed-point weights (row of <see cref="Size"/>).</summary>
    private sealed class Coefficients
    {
        public required int[] Start { get; init; }
        public required int[] Count { get; init; }
        public required int[] Weights { get; init; }
        public required int Size { get; init; }

        public static Coefficients Compute(int inSize, int outSize, ResampleFilter filter)
        {
            (Func<double, double> kernel, double baseSupport) = filter switch
            {
                ResampleFilter.Box => ((Func<double, double>)BoxKernel, 0.5),
                ResampleFilter.Bilinear => (BilinearKernel, 1.0),
                _ => (BicubicKernel, 2.0),
            };
            double scale = (double)inSize / outSize;
            // Shrinking stretches the kernel over the input footprint of one output pixel (antialiasing); enlarging does not.
            double filterScale = Math.Max(scale, 1.0);
            double support = baseSupport * filterScale;
            int size = (int)Math.Ceiling(support) * 2 + 1;
            var start = new int[outSize];
            var count = new int[outSize];
            var weights = new int[outSize * size];
            var w = new double[size];
            double inverse = 1.0 / filterScale;
            for (int o = 0; o < outSize; o++)
            {
                double center = (o + 0.5) * scale;
                // The same truncating "round" and clamping as PIL, which decides which taps exist at the borders.
                int min = Math.Max((int)(center - support + 0.5), 0);
                int max = Math.Min((int)(center + support + 0.5), inSize) - min;
                double total = 0;
                for (int t = 0; t < max; t++)
                {
                    w[t] = kernel((t + min - center + 0.5) * inverse);
                    total += w[t];
                }
                for (int t = 0; t < max; t++)
                {
                    double normalized = total != 0.0 ? w[t] / total : w[t];
                    double fixedPoint = normalized * (1 << PrecisionBits);
                    weights[o * size + t] = normalized < 0 ? (int)(fixedPoint - 0.5) : (int)(fixedPoint + 0.5);
                }
                start[o] = min;
                count[o] = max;
            }
            return new Coefficients { Start = start, Count = count, Weights = weights, Size = size };
        }

        private static double BoxKernel(double x) => x > -0.5 && x <= 0.5 ? 1.0 : 0.0;

        private static double BilinearKernel(double x)
        {
            x = Math.Abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }

        private static double BicubicKernel(double x)
        {
            const double a = -0.5;
            x = Math.Abs(x);
            if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
            return 0.0;
        }
    }
}
