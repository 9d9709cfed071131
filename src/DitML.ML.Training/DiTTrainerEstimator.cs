using DitML.Data;
using DitML.ML.Generation;
using DitML.Models;
using DitML.Onnx;
using DitML.Training;
using Microsoft.ML;
using DitML.Dit;
using DitML.DiffiT;

namespace DitML.ML.Training;

/// <summary>
/// ML.NET's view of DitML's trainer: <see cref="Fit"/> trains a class-conditional DiT (or latent DiffiT, see
/// <see cref="DiTTrainerEstimatorOptions.DiffiT"/>) with the official recipe on an
/// IDataView of images (or latents) and labels, exports its EMA weights to ONNX, and returns the DiffusionGenerate
/// transformer over that model — a transformer that reads Label and Seed columns and adds generated images.
/// </summary>
public sealed class DiTTrainerEstimator : IEstimator<DiffusionGenerateTransformer>
{
    private readonly MLContext context;

    internal DiTTrainerEstimator(MLContext context, DiTTrainerEstimatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputDirectory);
        ArgumentNullException.ThrowIfNull(options.Export);
        if (options.Export.Space is { } space && !Enum.IsDefined(space))
            throw new ArgumentException($"Export.Space must be {nameof(ModelSpace.Pixel)} or {nameof(ModelSpace.Latent)}, not {(int)space}", nameof(options));
        if (options.Model is not null && options.DiffiT is not null)
            throw new ArgumentException("set Model (a DiT) or DiffiT (a latent DiffiT), not both", nameof(options));
        this.context = context;
        Options = options;
    }

    /// <summary>The settings.</summary>
    public DiTTrainerEstimatorOptions Options { get; }

    /// <summary>Path of the model the last <see cref="Fit"/> exported.</summary>
    public string ModelPath => Path.Combine(Options.OutputDirectory, "model.onnx");

    /// <summary>Reads the data, trains (resuming a run already in the folder), exports, and returns the generator.</summary>
    /// <exception cref="ArgumentException">A missing column, a column of the wrong type, or a label out of range.</exception>
    public DiffusionGenerateTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var data = DataViewImages.Read(input, Options.PixelsColumnName, Options.LabelColumnName);
        bool resume = TrainedGenerator.HoldsRun(Options.OutputDirectory);
        using (var trainer = resume ? DiTTrainer.Resume(Options.OutputDirectory, data, Options.Trainer.Steps)
            : Options.DiffiT is { } diffit ? DiTTrainer.Create(diffit, data, Options.Trainer, Options.OutputDirectory)
            : DiTTrainer.Create(Options.Model ?? DefaultConfig(data), data, Options.Trainer, Options.OutputDirectory))
        {
            trainer.Run(Options.Progress);
            using var onnx = trainer.EmaNetwork switch                           // the run's family: a resumed run keeps its own
            {
                LatentDiffiT l => LatentDiffiTOnnxExporter.Export(l, Options.Export),
                _ => DiTOnnxExporter.Export(trainer.Ema, Options.Export),
            };
            onnx.Save(ModelPath);
        }
        return TrainedGenerator.Open(context, ModelPath, Options.Generator, Options.Generate);
    }

    /// <summary>
    /// The input must hold the pixel and label columns that <see cref="Fit"/> trains on. The output is what the fitted
    /// DiffusionGenerate transformer makes of rows: their columns plus the generated image and pixel columns
    /// (<see cref="DiTTrainerEstimatorOptions.Generate"/> names them; the rows it transforms need Label and Seed).
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        TrainedGenerator.OutputShape(inputSchema, Options.PixelsColumnName, Options.LabelColumnName, Options.Generate);

    private static DiTConfig DefaultConfig(IImageDataset data) => new DiTConfig
    {
        InputSize = data.Height,
        InChannels = data.Channels,
        NumClasses = data.ClassCount,
        Depth = 6,
        HiddenSize = 192,
        NumHeads = 3,
        PatchSize = data.Height % 4 == 0 ? 4 : 2,
    }.Validate();
}
