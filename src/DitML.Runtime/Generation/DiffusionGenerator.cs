using DitML.Diffusion;
using DitML.Onnx;
using DitML.Sampling;
using DitML.Models;

namespace DitML.Generation;

/// <summary>
/// Generates images from an exported DiT on ONNX Runtime: a sampler of <see cref="DitML.Sampling"/> drives the
/// <see cref="OnnxDenoiser"/>. Pixel-space models give images directly (x̂₀ clipped to [−1, 1] at every step); latent
/// models give the images their VAE decoder (<see cref="DiffusionGeneratorOptions.VaeDecoderPath"/>) makes of the samples.
/// One generator is safe to share between threads (a server's requests): concurrent <c>Generate</c> calls run
/// concurrently and each gets exactly the pixels it would get alone.
/// </summary>
public sealed class DiffusionGenerator : IImageGenerator, IDisposable
{
    private readonly OnnxDenoiser denoiser;
    private readonly DiffusionSampler sampler;
    private readonly OnnxVaeDecoder? decoder;

    private DiffusionGenerator(OnnxDenoiser denoiser, DiffusionSampler sampler, OnnxVaeDecoder? decoder)
    {
        this.denoiser = denoiser;
        this.sampler = sampler;
        this.decoder = decoder;
    }

    /// <summary>Opens an exported model.</summary>
    public static DiffusionGenerator Open(string modelPath, DiffusionGeneratorOptions? options = null)
    {
        options ??= new DiffusionGeneratorOptions();
        var denoiser = new OnnxDenoiser(modelPath, new OnnxDenoiserOptions { IntraOpThreads = options.Threads, Device = options.Device });
        OnnxVaeDecoder? decoder = null;
        try
        {
            if (denoiser.EdmInfo is { } edm) return new DiffusionGenerator(denoiser, EdmSampler(modelPath, edm, options), null);
            bool latent = denoiser.Info.Space == ModelSpace.Latent;
            if (latent)
            {
                if (options.VaeDecoderPath is null)
                    throw new ArgumentException($"{modelPath} is a latent-space model: give the VAE decoder that turns its samples into images (VaeDecoderPath; export one with VaeOnnxExporter.ExportDecoder)");
                decoder = new OnnxVaeDecoder(options.VaeDecoderPath, options.Threads, denoiser.Device);
                if (decoder.LatentChannels != denoiser.Channels)
                    throw new ArgumentException($"the VAE decoder takes {decoder.LatentChannels}-channel latents; {modelPath} samples {denoiser.Channels} channels");
            }
            // Pixel-space models clip the predicted x̂₀ to the data range [−1, 1], as ADM does for images; without it the
            // deterministic samplers diverge on a young model. Latent models are not clipped, as in the official DiT.
            var requested = options.Sampler ?? new SamplerOptions();
            var samplerOptions = requested with
            {
                GuidanceScale = requested.GuidanceScale ?? denoiser.Info.GuidanceScale,
                // The model's guidance recipe (latent DiffiT: power-cosine at latent ≤ 32, channels 0–2 only).
                GuidanceSchedule = requested.GuidanceSchedule ?? denoiser.Info.GuidanceSchedule,
                GuideFirstThreeChannels = requested.GuideFirstThreeChannels || denoiser.Info.GuideFirstThreeChannels,
                ClipDenoised = !latent,
            };
            var sampler = DiffusionSampler.Create(samplerOptions, NoiseSchedule.Linear(denoiser.Info.DiffusionSteps));
            return new DiffusionGenerator(denoiser, sampler, decoder);
        }
        catch
        {
            decoder?.Dispose();
            denoiser.Dispose();
            throw;
        }
    }

    /// <summary>
    /// EDM's deterministic Heun sampler for an EDM model (image DiffiT): the model's recommended steps when no sampler is
    /// given (or <see cref="DiffusionGeneratorOptions.UseModelSampler"/>), no clipping (EDM's sampler clips nothing).
    /// </summary>
    private static DiffusionSampler EdmSampler(string modelPath, EdmModelInfo edm, DiffusionGeneratorOptions options)
    {
        var requested = options.Sampler ?? new SamplerOptions { Sampler = SamplerKind.Heun, Steps = edm.SamplingSteps };
        if (options.UseModelSampler) requested = requested with { Sampler = SamplerKind.Heun, Steps = edm.SamplingSteps };
        if (requested.Sampler != SamplerKind.Heun)
            throw new ArgumentException($"{modelPath} is an EDM model (image DiffiT): it is sampled with EDM's Heun sampler (heun; {edm.SamplingSteps} steps recommended), not {requested.Sampler}");
        double scale = requested.GuidanceScale ?? edm.GuidanceScale;
        if (!edm.Config.Conditional && scale != 1)
            throw new ArgumentException($"{modelPath} is an unconditional model: it cannot be guided (guidance scale 1), got {scale}");
        return DiffusionSampler.CreateEdm(requested with { GuidanceScale = scale, ClipDenoised = false }, edm.Edm);
    }

    /// <summary>Opens an exported model as an image generator, resized to <see cref="DiffusionGeneratorOptions.OutputSize"/> when set.</summary>
    public static IImageGenerator OpenImages(string modelPath, DiffusionGeneratorOptions? options = null)
    {
        var generator = Open(modelPath, options);
        return options?.OutputSize is { } size && size != generator.Height ? new ResizingGenerator(generator, size) : generator;
    }

    /// <summary>The DiT's description.</summary>
    /// <exception cref="InvalidOperationException">An EDM model: see <see cref="EdmInfo"/>.</exception>
    public DiTModelInfo Info => denoiser.Info;

    /// <summary>The EDM model's description (image DiffiT); null for a DiT.</summary>
    public EdmModelInfo? EdmInfo => denoiser.EdmInfo;

    /// <summary>The sampler in use.</summary>
    public DiffusionSampler Sampler => sampler;

    /// <summary>Where the model runs: the device asked for, or the CPU where <see cref="OnnxDevice.Auto"/> found no GPU.</summary>
    public OnnxDevice Device => denoiser.Device;

    /// <inheritdoc />
    public int Channels => decoder?.OutChannels ?? denoiser.Channels;

    /// <inheritdoc />
    public int Height => denoiser.Height * (decoder?.Factor ?? 1);

    /// <inheritdoc />
    public int Width => denoiser.Width * (decoder?.Factor ?? 1);

    /// <inheritdoc />
    public int NumClasses => denoiser.NumClasses;

    /// <inheritdoc />
    public IReadOnlyList<string>? ClassNames => denoiser.ClassNames;

    /// <inheritdoc />
    public void Generate(ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, Span<float> pixels, IProgress<GenerationProgress>? progress = null) =>
        Generate(labels, seeds, pixels, progress, CancellationToken.None);

    /// <inheritdoc />
    public void Generate(ReadOnlySpan<long> labels, ReadOnlySpan<long> seeds, Span<float> pixels, IProgress<GenerationProgress>? progress, CancellationToken cancellationToken)
    {
        var samples = sampler.Sample(denoiser, labels, seeds, progress, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (decoder is null) samples.AsSpan().CopyTo(pixels);
        else decoder.Decode(samples, labels.Length, denoiser.Height, denoiser.Width, pixels);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        decoder?.Dispose();
        denoiser.Dispose();
    }
}
