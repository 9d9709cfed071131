using Microsoft.ML.Transforms;

namespace DitML.ML.Generation;

/// <summary>
/// The CustomMapping factory ML.NET finds by contract name when it loads a DiffusionGenerate pipeline saved in format 1
/// (contract <see cref="PersistedGeneration.ContractNameV1"/>, Int64 label and seed, a Pixels column without a size):
/// it opens the generator the spec names (once per spec) and generates each row. Pipelines saved now use
/// <see cref="SizedGenerationMappingFactory"/>.
/// </summary>
[CustomMappingFactoryAttribute(PersistedGeneration.ContractNameV1)]
public sealed class DiffusionGenerateMappingFactory : CustomMappingFactory<PersistedGenerationInput, PersistedGenerationOutput>
{
    // Loaded pipelines share the generators their specs name; the cache disposes the least recently used past its capacity
    // and the rest when the process exits.
    internal static readonly GeneratorCache Generators = new(capacity: 4);

    /// <inheritdoc />
    public override Action<PersistedGenerationInput, PersistedGenerationOutput> GetMapping() => (input, output) =>
    {
        long label = input.Label;
        float[] pixels = [];
        int channels = 0, height = 0, width = 0;
        Generators.Use(input.Spec, generator =>
        {
            if (label < 0 || label >= generator.NumClasses)
                throw new ArgumentOutOfRangeException(nameof(input), label, $"class {label} is out of range: the model knows classes 0..{generator.NumClasses - 1}");
            pixels = new float[GeneratedImages.PixelCount(generator)];
            generator.Generate([label], [input.Seed], pixels);
            (channels, height, width) = (generator.Channels, generator.Height, generator.Width);
        });
        GeneratedImages.ClampInto(pixels, pixels);
        output.Pixels = pixels;
        output.Image = GeneratedImages.ToImage(pixels, channels, height, width);
    };
}
