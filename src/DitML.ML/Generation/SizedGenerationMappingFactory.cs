using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace DitML.ML.Generation;

/// <summary>
/// The CustomMapping factory ML.NET finds by contract name when it loads a DiffusionGenerate pipeline saved by this
/// version (contract <see cref="PersistedGeneration.ContractName"/>): it opens the generator the spec names (once per
/// spec, shared through <see cref="GeneratorCache"/>) and generates each row. Pipelines saved before keep loading
/// through <see cref="DiffusionGenerateMappingFactory"/>.
/// </summary>
[CustomMappingFactoryAttribute(PersistedGeneration.ContractName)]
public sealed class SizedGenerationMappingFactory : CustomMappingFactory<SizedGenerationInput, SizedGenerationOutput>
{
    /// <inheritdoc />
    public override Action<SizedGenerationInput, SizedGenerationOutput> GetMapping() => (input, output) =>
    {
        long seed = ParseSeed(input.Seed);
        float[] pixels = [];
        int channels = 0, height = 0, width = 0;
        DiffusionGenerateMappingFactory.Generators.Use(input.Spec, generator =>
        {
            long label = ParseLabel(input.Label, generator.ClassNames);
            if (label < 0 || label >= generator.NumClasses)
                throw new ArgumentOutOfRangeException(nameof(input), label, $"class {label} is out of range: the model knows classes 0..{generator.NumClasses - 1}");
            pixels = new float[GeneratedImages.PixelCount(generator)];
            generator.Generate([label], [seed], pixels);
            (channels, height, width) = (generator.Channels, generator.Height, generator.Width);
        });
        GeneratedImages.ClampInto(pixels, pixels);
        var indices = new int[pixels.Length];
        for (int i = 0; i < indices.Length; i++) indices[i] = i;
        output.Pixels = new VBuffer<float>(SizedGenerationOutput.MaxPixels, pixels.Length, pixels, indices);
        output.Image = GeneratedImages.ToImage(pixels, channels, height, width);
    };

    /// <summary>
    /// A label as ML.NET writes an Int32, Int64, UInt32 or Single (a whole number, as the in-memory reader requires), or a
    /// class name of the model.
    /// </summary>
    internal static long ParseLabel(string text, IReadOnlyList<string>? classNames)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long whole)) return whole;
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && !float.IsNaN(v) && v == MathF.Round(v)
            && v >= long.MinValue && v <= long.MaxValue)
            return (long)v;
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            throw new ArgumentException($"label column holds {text}, not a whole class number");
        return DitML.Generation.ClassNaming.Find(classNames, text.Trim(), "the model");
    }

    /// <summary>A seed as ML.NET writes an Int32, Int64, UInt32 or UInt64; UInt64 keeps its bits, as the in-memory reader.</summary>
    internal static long ParseSeed(string text)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long s)) return s;
        if (ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong u)) return unchecked((long)u);
        throw new ArgumentException($"seed column holds '{text}', not a whole number");
    }
}
