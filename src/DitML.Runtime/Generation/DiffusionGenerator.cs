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
    private readonly IDenoiser denoiser;
    private readonly DiTModelInfo? info;
    private readonly EdmModelInfo? edmInfo;
    private readonly IReadOnlyList<string>? classNames;
    private readonly DiffusionSampler sampler;
    private readonly OnnxVaeDecoder? decoder;
    private readonly IDisposable? owned;

    private DiffusionGenerator(IDenoiser denoiser, DiTModelInfo? info, EdmModelInfo? edmInfo, DiffusionSampler sampler, OnnxVaeDecoder? decoder, IDisposable? owned)
    {
        this.denoiser = denoiser;
        this.info = info;
        this.edmInfo = edmInfo;
        classNames = edmInfo?.ClassNames ?? info?.ClassNames;
        this.sampler = sampler;
        this.decoder = decoder;
        this.owned = owned;
    }

    /// <summary>Opens an exported model.</summary>
    public static DiffusionGenerator Open(string modelPath, DiffusionGeneratorOptions? options = null)
    {
        options ??= new DiffusionGeneratorOptions();
        var denoiser = new OnnxDenoiser(modelPath, new OnnxDenoiserOptions { IntraOpThreads = options.Threads, Device = options.Device });
        try
        {
            if (denoiser.EdmInfo is { } edm) return new DiffusionGenerator(denoiser, null, edm, EdmSampler(modelPath, edm, options), null, denoiser);
            return Build(denoiser, denoiser.Info, options, modelPath, denoiser, denoiser.Device);
        }
        catch
        {
            denoiser.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A generator over any DiT-interface denoiser (a TorchSharp model through <c>TorchDenoiser</c>, say) described by
    /// <paramref name="info"/> — what an export's metadata would say (<c>DiTOnnxExporter.Metadata</c> gives it for a
    /// config) — with the same sampler defaults, guidance recipe, clipping and VAE decoding as an exported model.
    /// </summary>
    /// <param name="denoiser">The model.</param>
    /// <param name="info">Its description: space, schedule, recommended guidance, class names.</param>
    /// <param name="options">Sampler, VAE decoder (latent models), threads of the decoder.</param>
    /// <param name="owned">Disposed with the generator (the model behind the denoiser); null: the caller keeps it.</param>
    /// <exception cref="ArgumentException">A latent model without a VAE decoder, or one whose latents do not fit it.</exception>
    public static DiffusionGenerator Create(IDenoiser denoiser, DiTModelInfo info, DiffusionGeneratorOptions? options = null, IDisposable? owned = null)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(info);
        return Build(denoiser, info, options ?? new DiffusionGeneratorOptions(), info.DisplayName, owned, options?.Device);
    }

    private static DiffusionGenerator Build(IDenoiser denoiser, DiTModelInfo info, DiffusionGeneratorOptions options, string source, IDisposable? owned, OnnxDevice? decoderDevice)
    {
        OnnxVaeDecoder? decoder = null;
        try
        {
            bool latent = info.Space == ModelSpace.Latent;
            if (latent)
            {
                if (options.VaeDecoderPath is null)
                    throw new ArgumentException($"{source} is a latent-space model: give the VAE decoder that turns its samples into images (VaeDecoderPath; export one with VaeOnnxExporter.ExportDecoder)");
                decoder = new OnnxVaeDecoder(options.VaeDecoderPath, options.Threads, decoderDevice);
                if (decoder.LatentChannels != denoiser.Channels)
                    throw new ArgumentException($"the VAE decoder takes {decoder.LatentChannels}-channel latents; {source} samples {denoiser.Channels} channels");
            }
            // Pixel-space models clip the predicted x̂₀ to the data range [−1, 1], as ADM does for images; without it the
            // deterministic samplers diverge on a young model. Latent models are not clipped, as in the official DiT.
            var requested = options.Sampler ?? new SamplerOptions();
            var samplerOptions = requested with
            {
                GuidanceScale = requested.GuidanceScale ?? info.GuidanceScale,
                // The model's guidance recipe (latent DiffiT: power-cosine at latent ≤ 32, channels 0–2 only).
                GuidanceSchedule = requested.GuidanceSchedule ?? info.GuidanceSchedule,
                GuideFirstThreeChannels = requested.GuideFirstThreeChannels || info.GuideFirstThreeChannels,
                ClipDenoised = !latent,
            };
            var sampler = DiffusionSampler.Create(samplerOptions, NoiseSchedule.Linear(info.DiffusionSteps));
            return new DiffusionGenerator(denoiser, info, null, sampler, decoder, owned);
        }
        catch
        {
            decoder?.Dispose();
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
    public DiTModelInfo Info => info ?? throw new InvalidOperationException("an EDM model (image DiffiT) has no DiT description: read EdmInfo");

    /// <summary>The EDM model's description (image DiffiT); null for a DiT.</summary>
    public EdmModelInfo? EdmInfo => edmInfo;

    /// <summary>The sampler in use.</summary>
    public DiffusionSampler Sampler => sampler;

    /// <summary>Where the model runs: the device asked for, or the CPU where <see cref="OnnxDevice.Auto"/> found no GPU.</summary>
    /// <remarks>A generator over a caller's denoiser (<see cref="Create"/>) reports the CPU unless it is an <see cref="OnnxDenoiser"/>.</remarks>
    public OnnxDevice Device => (denoiser as OnnxDenoiser)?.Device ?? OnnxDevice.Cpu;

    /// <inheritdoc />
    public int Channels => decoder?.OutChannels ?? denoiser.Channels;

    /// <inheritdoc />
    public int Height => denoiser.Height * (decoder?.Factor ?? 1);

    /// <inheritdoc />
    public int Width => denoiser.Width * (decoder?.Factor ?? 1);

    /// <inheritdoc />
    public int NumClasses => denoiser.NumClasses;

    /// <inheritdoc />
    public IReadOnlyList<string>? ClassNames => classNames;

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
        owned?.Dispose();
    }
}
