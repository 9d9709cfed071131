using DitML.Imaging;
using Microsoft.ML.Data;

namespace DitML.Interactive;

/// <summary>Turns ML.NET's <see cref="MLImage"/> (the <c>Image</c> column of <c>DiffusionGenerate</c>) into a <see cref="ByteImage"/>.</summary>
public static class MLImageConversion
{
    /// <summary>
    /// The pixels of <paramref name="image"/> as RGB. Goes through <see cref="MLImage.Save"/> and a PNG round trip because
    /// with the SkiaSharp this project uses ML.NET 5.0.1's pixel accessors throw <see cref="MissingMethodException"/>
    /// (ML.NET was built against an older SkiaSharp); saving works and PNG is lossless.
    /// </summary>
    public static ByteImage ToByteImage(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        string path = Path.Combine(Path.GetTempPath(), $"ditml-mlimage-{Guid.NewGuid():N}.png");
        try
        {
            image.Save(path);
            return ImageDecoder.Decode(path, channels: 3);
        }
        finally
        {
            if (File.Exists(path)) File.Delete(path);
        }
    }
}
