using DitML.Diffusion;
using DitML.DiffiT;
using DitML.Generation;
using DitML.ML.Generation;
using DitML.Models;
using DitML.Training;

namespace DitML.ML.Training;

/// <summary>
/// Settings of <see cref="ImageDiffiTTrainerEstimator"/>: the image-space DiffiT, the recipe (EDM's loss and
/// preconditioning over DitML's AdamW/EMA loop), where the run goes, and how the result generates.
/// </summary>
public sealed record ImageDiffiTTrainerEstimatorOptions
{
    /// <summary>Run folder: checkpoints, EMA weights, log, and the exported <c>model.onnx</c>. Required.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>
    /// The model; null for a small config fitted to the data (two stages of 32 and 64 channels, one ResBlock each, head
    /// width 32, the largest window of 8, 7, 4 or 2 that tiles both resolutions, time width 128), conditional on the
    /// data's classes.
    /// </summary>
    public ImageDiffiTConfig? Model { get; init; }

    /// <summary>The loop's recipe (AdamW, EMA, class dropout, steps, batch, seed); the loss is EDM's.</summary>
    public TrainerOptions Trainer { get; init; } = new();

    /// <summary>EDM's σ distribution, σ_data and sampler range (defaults: the paper's).</summary>
    public EdmSettings Edm { get; init; } = new();

    /// <summary>Column of CHW floats in [−1, 1] with known (C, H, W) dimensions.</summary>
    public string PixelsColumnName { get; init; } = "Pixels";

    /// <summary>Column of class labels: keys (as ML.NET's MapValueToKey makes) or integers from 0.</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>What the exported model recommends: Heun steps (default: EDM's for its size) and guidance (default 1).</summary>
    public ImageDiffiTOnnxExportOptions Export { get; init; } = new();

    /// <summary>Sampling settings of the returned transformer (default: EDM's Heun sampler at the exported steps).</summary>
    public DiffusionGeneratorOptions? Generator { get; init; }

    /// <summary>Columns of the returned transformer (it reads Label and Seed, adds Image and Pixels).</summary>
    public DiffusionGenerateOptions Generate { get; init; } = new();

    /// <summary>Receives a point every <see cref="TrainerOptions.LogEvery"/> steps.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }
}
