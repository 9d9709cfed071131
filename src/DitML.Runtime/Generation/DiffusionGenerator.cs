using DitML.Diffusion;
using DitML.Onnx;
using DitML.Sampling;

namespace DitML.Generation;

/// <summary>
/// Generates images from an exported DiT on ONNX Runtime: a sampler of <see cref="DitML.Sampling"/> drives the
/// <see cref="OnnxDenoiser"/>. Pixel-space models give images directly (x̂₀ clipped to [−1, 1] at every step); latent
/// models need a VAE decoder (not yet available, refused with a clear message).
/// </summary>
public sealed class DiffusionGenerator : IImageGenerator, IDisposable
{
    private readonly OnnxDenoiser denoiser;
    private readonly DiffusionSampler sampler;

    private DiffusionGenerator(OnnxDenoiser denoiser, DiffusionSampler sampler)
    {
        this.denoiser = denoiser;
        this.sampler = sampler;
    }

    /// <summary>Opens an exported model.</summary>
    public static DiffusionGenerator Open(string modelPath, DiffusionGeneratorOptions? options = null)
    {
        options ??= new DiffusionGeneratorOptions();
        var denoiser = new OnnxDenoiser(modelPath, new OnnxDenoiserOptions { IntraOpThreads = options.Threads });
        try
        {
            if (denoiser.Info.Space != "pixel")
                throw new NotSupportedException($"{modelPath} is a latent-space model; decoding latents needs a VAE decoder, which DitML cannot export yet");
            // Pixel-space models clip the predicted x̂₀ to the data range [−1, 1], as ADM does for images; without it the
            // deterministic samplers diverge on a young model. (Latent models are not clipped, as in the official DiT.)
            var samplerOptions = (options.Sampler ?? new SamplerOptions()) with
            {
                GuidanceScale = options.GuidanceScale ?? denoiser.Info.GuidanceScale,
                ClipDenoised = true,
            };
            var sampler = DiffusionSampler.Create(samplerOptions, NoiseSchedule.Linear(denoiser.Info.DiffusionSteps));
            return new DiffusionGenerator(denoiser, sampler);
        }
        catch
        {
            denoiser.Dispose();
            throw;
        }
    }

    /// <summary>Opens an exported model as an image generator, resized to <see cref="DiffusionGeneratorOptions.OutputSize"/> when set.</summary>
    public static IImageGenerator OpenImages(string modelPath, DiffusionGeneratorOptions? options = null)
    {
        var generator = Open(modelPath, options);
        return options?.OutputSize is { } size && size != generator.Height ? new ResizingGenerator(generator, size) : generator;
    }

    /// <summary>The model's description.</summary>
    public DiTModelInfo Info => denoiser.Info;

    /// <summary>The sampler in use.</summary>
    public DiffusionSampler Sampler => sampler;

    /// <inheritdoc />
    public int Channels => denoiser.Channels;

    /// <inheritdoc />
    public int Height => denoiser.Height;

    /// <inheritdoc />
    public int Width => denoiser.Width;

    /// <inheritdoc />
    public int NumClasses => denoiser.NumClasses;

    /// <inheritdoc />
    public void Generate(ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, Span<float> pixels, IProgress<GenerationProgress>? progress = null)
    {
        var samples = sampler.Sample(denoiser, labels, seeds, progress);
        samples.AsSpan().CopyTo(pixels);
    }

    /// <inheritdoc />
    public void Dispose() => denoiser.Dispose();
}
