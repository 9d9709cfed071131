using DitML.ML.Metrics;

namespace DitML.ML.Training;

/// <summary>DitML's trainers in ML.NET's catalogs: <c>mlContext.Generation().TrainDiT(...)</c> and <c>TrainImageDiffiT(...)</c>.</summary>
public static class DitMLTrainingCatalog
{
    /// <summary>
    /// A DiT trainer: <c>Fit</c> on an IDataView of images and labels trains with the official recipe, exports the EMA
    /// model to ONNX in <see cref="DiTTrainerEstimatorOptions.OutputDirectory"/>, and returns a DiffusionGenerate
    /// transformer on it.
    /// </summary>
    public static DiTTrainerEstimator TrainDiT(this GenerationCatalog catalog, DiTTrainerEstimatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new DiTTrainerEstimator(catalog.Context, options);
    }

    /// <summary>
    /// An image-space DiffiT trainer (EDM preconditioning and loss): <c>Fit</c> on an IDataView of images and labels
    /// trains, exports the EMA model to ONNX in <see cref="ImageDiffiTTrainerEstimatorOptions.OutputDirectory"/>, and
    /// returns a DiffusionGenerate transformer on it (EDM's Heun sampler).
    /// </summary>
    public static ImageDiffiTTrainerEstimator TrainImageDiffiT(this GenerationCatalog catalog, ImageDiffiTTrainerEstimatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageDiffiTTrainerEstimator(catalog.Context, options);
    }
}
