using DitML.Dit;
using DitML.Generation;
using DitML.ML.Generation;
using DitML.Models;
using DitML.Training;

namespace DitML.ML.Training;

/// <summary>Settings of <see cref="DiTTrainerEstimator"/>: the model, the recipe, where the run goes, and how the result generates.</summary>
public sealed record DiTTrainerEstimatorOptions
{
    /// <summary>Run folder: checkpoints, EMA weights, log, and the exported <c>model.onnx</c>. Required.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>
    /// The model; null for a small free config fitted to the data (depth 6, width 192, 3 heads, patch 4 or 2) with
    /// channels, size and classes taken from the data.
    /// </summary>
    public DiTConfig? Model { get; init; }

    /// <summary>
    /// Train latent DiffiT (NVIDIA's released architecture: DiT with time-dependent self-attention and its own blocks)
    /// instead of a DiT, with the same recipe; set this or <see cref="Model"/>, not both. The export then carries
    /// DiffiT's guidance recipe, and <see cref="Export"/>'s guidance scale (default 4) is what it recommends.
    /// </summary>
    public LatentDiffiTConfig? DiffiT { get; init; }

    /// <summary>The training recipe (AdamW, EMA, class dropout, steps, batch, seed).</summary>
    public TrainerOptions Trainer { get; init; } = new();

    /// <summary>Column of CHW floats in [−1, 1] with known (C, H, W) dimensions (or latents).</summary>
    public string PixelsColumnName { get; init; } = "Pixels";

    /// <summary>Column of class labels: keys (as ML.NET's MapValueToKey makes) or integers from 0.</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>
    /// What the exported model says about itself: its space (default: taken from the channels, 1 or 3 are pixels, others
    /// VAE latents) and the guidance scale it recommends to samplers (default 4, the paper's).
    /// </summary>
    public DiTOnnxExportOptions Export { get; init; } = new();

    /// <summary>
    /// Sampling settings of the returned transformer (defaults: DPM-Solver++(2M), 20 steps, and the guidance scale
    /// <see cref="Export"/> recommends unless <see cref="DiffusionGeneratorOptions.Sampler"/> sets one).
    /// </summary>
    public DiffusionGeneratorOptions? Generator { get; init; }

    /// <summary>Columns of the returned transformer (it reads Label and Seed, adds Image and Pixels).</summary>
    public DiffusionGenerateOptions Generate { get; init; } = new();

    /// <summary>Receives a point every <see cref="TrainerOptions.LogEvery"/> steps.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }
}
