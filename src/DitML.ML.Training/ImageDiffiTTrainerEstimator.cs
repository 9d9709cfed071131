using DitML.Data;
using DitML.DiffiT;
using DitML.ML.Generation;
using DitML.Models;
using DitML.Training;
using Microsoft.ML;

namespace DitML.ML.Training;

/// <summary>
/// ML.NET's view of DitML's EDM trainer: <see cref="Fit"/> trains an image-space DiffiT (EDM preconditioning and loss,
/// as the paper follows EDM) on an IDataView of images and labels, exports its EMA weights to ONNX (σ input, EDM's Heun
/// sampler named in the metadata), and returns the DiffusionGenerate transformer over that model. A folder that holds
/// a run is resumed.
/// </summary>
public sealed class ImageDiffiTTrainerEstimator : IEstimator<DiffusionGenerateTransformer>
{
    private readonly MLContext context;

    internal ImageDiffiTTrainerEstimator(MLContext context, ImageDiffiTTrainerEstimatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputDirectory);
        ArgumentNullException.ThrowIfNull(options.Export);
        ArgumentNullException.ThrowIfNull(options.Edm);
        this.context = context;
        Options = options;
    }

    /// <summary>The settings.</summary>
    public ImageDiffiTTrainerEstimatorOptions Options { get; }

    /// <summary>Path of the model the last <see cref="Fit"/> exported.</summary>
    public string ModelPath => Path.Combine(Options.OutputDirectory, "model.onnx");

    /// <summary>Reads the data, trains (resuming a run already in the folder), exports, and returns the generator.</summary>
    /// <exception cref="ArgumentException">A missing column, a column of the wrong type, a label out of range, or a model that does not fit the data.</exception>
    public DiffusionGenerateTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var data = DataViewImages.Read(input, Options.PixelsColumnName, Options.LabelColumnName);
        bool resume = TrainedGenerator.HoldsRun(Options.OutputDirectory);
        using (var trainer = resume
            ? EdmTrainer.Resume(Options.OutputDirectory, data, Options.Trainer.Steps)
            : EdmTrainer.Create(Options.Model ?? DefaultConfig(data), data, Options.Trainer, Options.OutputDirectory, Options.Edm))
        {
            trainer.Run(Options.Progress);
            using var onnx = ImageDiffiTOnnxExporter.Export(trainer.Ema, trainer.Edm, Options.Export);
            onnx.Save(ModelPath);
        }
        return TrainedGenerator.Open(context, ModelPath, Options.Generator, Options.Generate);
    }

    /// <summary>The input must hold the pixel and label columns; the output is the fitted generator's (see <see cref="DiTTrainerEstimator.GetOutputSchema"/>).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        TrainedGenerator.OutputShape(inputSchema, Options.PixelsColumnName, Options.LabelColumnName, Options.Generate);

    private static ImageDiffiTConfig DefaultConfig(IImageDataset data)
    {
        bool twoStages = data.Height % 2 == 0;
        int smallest = twoStages ? data.Height / 2 : data.Height;
        int window = new[] { 8, 7, 4, 2, 1 }.First(w => smallest % w == 0);
        return new ImageDiffiTConfig
        {
            ImageSize = data.Height,
            InChannels = data.Channels,
            NumClasses = data.ClassCount,
            StageChannels = twoStages ? [32, 64] : [32],
            BlocksPerStage = twoStages ? [1, 1] : [1],
            WindowSize = window,
            HeadDim = 32,
            GroupNormGroups = 8,
            TimeEmbedDim = 128,
        }.Validate();
    }
}
