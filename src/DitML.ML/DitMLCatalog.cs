using DitML.Generation;
using DitML.ML.Generation;
using DitML.ML.Metrics;
using DitML.ML.Onnx;
using DitML.ML.Vae;
using DitML.Onnx;
using Microsoft.ML;

namespace DitML.ML;

/// <summary>DitML's entries in ML.NET's catalogs: <c>mlContext.Transforms.DiffusionGenerate(...)</c>.</summary>
public static class DitMLCatalog
{
    /// <summary>
    /// Generates an image per input row with a DitML-exported DiT on ONNX Runtime (<paramref name="modelPath"/>),
    /// conditioned on the row's label and seeded by its seed; adds an image column and a pixel column. Defaults:
    /// DPM-Solver++(2M), 20 steps, the model's recommended guidance scale, the model's image size. The pipeline can be
    /// saved with <c>mlContext.Model.Save</c>; load it with <c>mlContext.Generation().LoadModel</c> (batched again, model
    /// file checked at load) or with <c>mlContext.Model.Load</c> after <see cref="RegisterDitML"/> (row by row).
    /// It runs on <see cref="DiffusionGeneratorOptions.Device"/>; left null, on the context's GPU when
    /// <c>mlContext.GpuDeviceId</c> is set (with <c>FallbackToCpu</c>, as ML.NET's ONNX transforms), else the CPU. The
    /// device is saved with the pipeline.
    /// </summary>
    /// <exception cref="FileNotFoundException">Naming the model file.</exception>
    /// <exception cref="DeviceUnavailableException">A CUDA device asked for and unusable here.</exception>
    public static DiffusionGenerateEstimator DiffusionGenerate(this TransformsCatalog catalog, string modelPath,
        DiffusionGeneratorOptions? generatorOptions = null, DiffusionGenerateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(modelPath);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"model not found: {modelPath}", modelPath);
        if (generatorOptions?.Device is null && ContextDevice.Of(catalog) is { } contextDevice)
            generatorOptions = (generatorOptions ?? new DiffusionGeneratorOptions()) with { Device = contextDevice };
        generatorOptions?.Device?.Resolve();                                     // an unusable CUDA is refused now, not at fit
        var spec = GenerationSpec.For(modelPath, generatorOptions);
        return new DiffusionGenerateEstimator(() => DiffusionGenerator.OpenImages(spec.ModelPath, spec.GeneratorOptions), options ?? new DiffusionGenerateOptions(), ownsGenerator: true, spec);
    }

    /// <summary>
    /// Registers DitML's components with ML.NET, so that <c>mlContext.Model.Load</c> can load pipelines containing
    /// DiffusionGenerate (ML.NET finds custom components only in registered assemblies).
    /// </summary>
    public static MLContext RegisterDitML(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        mlContext.ComponentCatalog.RegisterAssembly(typeof(DitMLCatalog).Assembly);
        return mlContext;
    }

    /// <summary>
    /// Generates an image per input row with <paramref name="generator"/>, conditioned on the row's label and seeded by
    /// its seed; adds an image column and a pixel column (see <see cref="DiffusionGenerateOptions"/>). The caller keeps
    /// ownership of the generator.
    /// </summary>
    public static DiffusionGenerateEstimator DiffusionGenerate(this TransformsCatalog catalog, IImageGenerator generator,
        DiffusionGenerateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(generator);
        return new DiffusionGenerateEstimator(() => generator, options ?? new DiffusionGenerateOptions(), ownsGenerator: false);
    }

    /// <summary>
    /// Adds a classifier's features and class probabilities for each image of <paramref name="inputColumnName"/> (CHW
    /// floats in [−1, 1], as DiffusionGenerate's pixel column): the inputs of FID, Inception Score and class accuracy in
    /// <c>mlContext.Generation().Evaluate(...)</c>. <paramref name="classifierPath"/> is a DitML classifier in ONNX (input
    /// "pixels", outputs "features" and "probabilities"), such as the shipped Fashion-MNIST classifier. Runs on ML.NET's
    /// own ONNX transformer, so it saves and loads with the pipeline (and, loaded, runs where the loading context's
    /// <c>GpuDeviceId</c> says, ML.NET's rule for its ONNX transforms).
    /// </summary>
    /// <param name="catalog">The context's transforms.</param>
    /// <param name="featuresColumnName">The features column added.</param>
    /// <param name="probabilitiesColumnName">The class-probabilities column added.</param>
    /// <param name="inputColumnName">The images' column.</param>
    /// <param name="classifierPath">The classifier in ONNX.</param>
    /// <param name="device">Where it runs; null: the context's <c>GpuDeviceId</c> (none: the CPU).</param>
    /// <exception cref="FileNotFoundException">Naming the classifier file.</exception>
    /// <exception cref="DeviceUnavailableException">A CUDA device asked for and unusable here.</exception>
    /// <remarks>Output columns first, then the input, then the model, as ML.NET's own <c>ApplyOnnxModel</c> takes them.</remarks>
    public static IEstimator<ITransformer> ExtractImageFeatures(this TransformsCatalog catalog,
        string featuresColumnName, string probabilitiesColumnName, string inputColumnName, string classifierPath, OnnxDevice? device = null) =>
        ImageFeatureExtraction.Create(catalog, classifierPath, inputColumnName, featuresColumnName, probabilitiesColumnName, device);

    /// <summary>
    /// <see cref="ExtractImageFeatures(TransformsCatalog, string, string, string, string, OnnxDevice?)"/> with the default columns:
    /// reads "Pixels", adds "Features" and "Probabilities".
    /// </summary>
    /// <param name="catalog">The context's transforms.</param>
    /// <param name="classifierPath">The classifier in ONNX.</param>
    /// <param name="device">Where it runs; null: the context's <c>GpuDeviceId</c> (none: the CPU).</param>
    /// <exception cref="FileNotFoundException">Naming the classifier file.</exception>
    /// <exception cref="DeviceUnavailableException">A CUDA device asked for and unusable here.</exception>
    public static IEstimator<ITransformer> ExtractImageFeatures(this TransformsCatalog catalog, string classifierPath, OnnxDevice? device = null) =>
        ExtractImageFeatures(catalog, "Features", "Probabilities", "Pixels", classifierPath, device);

    /// <summary>Evaluation of generated images: FID, Inception Score, precision/recall and class accuracy.</summary>
    public static GenerationCatalog Generation(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new GenerationCatalog(mlContext);
    }

    /// <summary>
    /// Encodes images to scaled latents (the posterior mean × the VAE's scaling factor, 0.18215 for Stable Diffusion's)
    /// with a VAE encoder exported by DitML (<c>VaeOnnxExporter.ExportEncoder</c>). The input column holds CHW floats in
    /// [−1, 1] with known (C, H, W); H and W must be multiples of the VAE's downsampling factor.
    /// </summary>
    /// <exception cref="FileNotFoundException">Naming the encoder file.</exception>
    /// <remarks>Output column first, then the input, then the model, as ML.NET's own <c>ApplyOnnxModel</c> takes them.</remarks>
    /// <param name="catalog">The context's transforms.</param>
    /// <param name="outputColumnName">The latents' column added.</param>
    /// <param name="inputColumnName">The images' column.</param>
    /// <param name="encoderPath">The exported encoder.</param>
    /// <param name="device">Where it runs; null: the context's <c>GpuDeviceId</c> (none: the CPU).</param>
    public static VaeTransformEstimator VaeEncode(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, string encoderPath, OnnxDevice? device = null) =>
        new(catalog, encoderPath, encode: true, inputColumnName, outputColumnName, device);

    /// <summary><see cref="VaeEncode(TransformsCatalog, string, string, string, OnnxDevice?)"/> from "Pixels" to "Latents".</summary>
    /// <param name="catalog">The context's transforms.</param>
    /// <param name="encoderPath">The exported encoder.</param>
    /// <param name="device">Where it runs; null: the context's <c>GpuDeviceId</c> (none: the CPU).</param>
    /// <exception cref="FileNotFoundException">Naming the encoder file.</exception>
    public static VaeTransformEstimator VaeEncode(this TransformsCatalog catalog, string encoderPath, OnnxDevice? device = null) =>
        VaeEncode(catalog, "Latents", "Pixels", encoderPath, device);

    /// <summary>
    /// Decodes scaled latents (C, h, w) to CHW pixels in about [−1, 1] with a VAE decoder exported by DitML
    /// (<c>VaeOnnxExporter.ExportDecoder</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException">Naming the decoder file.</exception>
    /// <remarks>Output column first, then the input, then the model, as ML.NET's own <c>ApplyOnnxModel</c> takes them.</remarks>
    /// <param name="catalog">The context's transforms.</param>
    /// <param name="outputColumnName">The pixels' column added.</param>
    /// <param name="inputColumnName">The latents' column.</param>
    /// <param name="decoderPath">The exported decoder.</param>
    /// <param name="device">Where it runs; null: the context's <c>GpuDeviceId</c> (none: the CPU).</param>
    public static VaeTransformEstimator VaeDecode(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, string decoderPath, OnnxDevice? device = null) =>
        new(catalog, decoderPath, encode: false, inputColumnName, outputColumnName, device);

    /// <summary><see cref="VaeDecode(TransformsCatalog, string, string, string, OnnxDevice?)"/> from "Latents" to "Pixels".</summary>
    /// <param name="catalog">The context's transforms.</param>
    /// <param name="decoderPath">The exported decoder.</param>
    /// <param name="device">Where it runs; null: the context's <c>GpuDeviceId</c> (none: the CPU).</param>
    /// <exception cref="FileNotFoundException">Naming the decoder file.</exception>
    public static VaeTransformEstimator VaeDecode(this TransformsCatalog catalog, string decoderPath, OnnxDevice? device = null) =>
        VaeDecode(catalog, "Pixels", "Latents", decoderPath, device);
}
