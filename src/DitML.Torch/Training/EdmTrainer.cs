using System.Globalization;
using System.Text.Json;
using DitML.Checkpoints;
using DitML.Data;
using DitML.DiffiT;
using DitML.Diffusion;
using DitML.Models;
using DitML.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Training;

/// <summary>
/// Trains image-space DiffiT with EDM (Karras et al. 2022) as the DiffiT paper does: log-normal σ, EDM's
/// preconditioning and loss weight (<see cref="EdmLoss"/>), with the machinery DiT's trainer uses — AdamW, EMA, the
/// per-step seeded batch schedule and flips, <c>log.jsonl</c> (<see cref="TrainingLog"/>), run-folder lock, failure
/// checkpoints. Writes <c>checkpoint.safetensors</c> (model, EMA, optimizer: exact resume) and <c>ema.safetensors</c>
/// (an <see cref="ImageDiffiTCheckpoint"/>). Every random draw of step s derives from (seed, s). Not done: EDM's
/// non-leaking augmentation pipeline (the paper's CIFAR-10 recipe uses it).
/// </summary>
public sealed class EdmTrainer : IDisposable, ITrainingRun
{
    private const string StepKey = "ditml.step";
    private const string OptimizerStepKey = "ditml.optimizer_step";

    private readonly IImageDataset data;
    private readonly string runDirectory;
    private readonly ImageDiffiT model;
    private readonly ImageDiffiT ema;
    private readonly EdmDenoiser denoiser;
    private readonly AdamW optimizer;
    private readonly ExponentialMovingAverage average;
    private readonly TrainingBatch batch;
    private readonly RunFolderLock runLock;

    private EdmTrainer(ImageDiffiTConfig config, EdmSettings edm, IImageDataset data, TrainerOptions options, string runDirectory, long step, RunFolderLock runLock)
    {
        this.runLock = runLock;
        this.data = data;
        this.runDirectory = runDirectory;
        Options = options;
        Edm = edm;
        manual_seed(options.Seed);
        model = new ImageDiffiT(config);
        ema = new ImageDiffiT(config);
        denoiser = new EdmDenoiser(model, edm);
        optimizer = new AdamW(model, options.Optimizer);
        average = new ExponentialMovingAverage(model, ema, options.EmaDecay);
        batch = new TrainingBatch(data, options.BatchSize, options.Seed, options.HorizontalFlip);
        Step = step;
        TrainingLog.TruncateTo(Path.Combine(runDirectory, TrainingLog.FileName), step);
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The EDM settings (σ_data, the training σ distribution).</summary>
    public EdmSettings Edm { get; }

    /// <summary>Steps done.</summary>
    public long Step { get; private set; }

    /// <summary>The trained network.</summary>
    public ImageDiffiT Model => model;

    /// <summary>The EMA of the network's weights (what sampling uses).</summary>
    public ImageDiffiT Ema => ema;

    /// <summary>Starts a new run in <paramref name="runDirectory"/> (created; must not hold a run). Bad settings leave no folder behind.</summary>
    public static EdmTrainer Create(ImageDiffiTConfig config, IImageDataset data, TrainerOptions options, string runDirectory, EdmSettings? edm = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        config.Validate();
        options.Validate();
        edm = (edm ?? new EdmSettings()).Validate();
        CheckData(config, data);
        string checkpoint = Path.Combine(runDirectory, TrainingCheckpoint.FileName);
        if (File.Exists(checkpoint)) throw new ArgumentException($"{runDirectory} already holds a run; resume it (--resume) or choose another folder");
        bool created = !Directory.Exists(runDirectory);
        Directory.CreateDirectory(runDirectory);
        RunFolderLock? held = null;
        try
        {
            held = RunFolderLock.Acquire(runDirectory);
            return new EdmTrainer(config, edm, data, options, runDirectory, 0, held);
        }
        catch
        {
            held?.Dispose();
            if (created && !Directory.EnumerateFileSystemEntries(runDirectory).Any()) Directory.Delete(runDirectory);
            throw;
        }
    }

    /// <summary>True when <paramref name="runDirectory"/>'s checkpoint is an EDM (image DiffiT) run.</summary>
    public static bool IsEdmRun(string runDirectory)
    {
        string path = Path.Combine(runDirectory, TrainingCheckpoint.FileName);
        return File.Exists(path) && SafeTensorsFile.ReadMetadata(path).ContainsKey(ImageDiffiTOnnxMetadata.Config);
    }

    /// <summary>Continues the run in <paramref name="runDirectory"/>, toward <paramref name="steps"/> when given (else its stored target).</summary>
    /// <exception cref="ArgumentException">The data does not fit the stored model.</exception>
    public static EdmTrainer Resume(string runDirectory, IImageDataset data, long? steps = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        string path = Path.Combine(runDirectory, TrainingCheckpoint.FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"no checkpoint to resume in {runDirectory}", path);
        var held = RunFolderLock.Acquire(runDirectory);
        try
        {
            var contents = SafeTensorsFile.Read(path);
            string Need(string key) => contents.Metadata.TryGetValue(key, out var v) ? v
                : throw new InvalidDataException($"{path}: not a DitML EDM training checkpoint (no '{key}' in its metadata)");
            var config = ImageDiffiTConfig.FromJson(Need(ImageDiffiTOnnxMetadata.Config));
            var edm = EdmSettingsJson.FromJson(Need(ImageDiffiTOnnxMetadata.Edm), path);
            var options = JsonSerializer.Deserialize<TrainerOptions>(Need(TrainingCheckpoint.TrainerMetadataKey)) ?? throw new InvalidDataException($"{path}: empty trainer options");
            if (steps is { } s) options = options with { Steps = s };
            options.Validate();
            CheckData(config, data);
            var trainer = new EdmTrainer(config, edm, data, options, runDirectory, long.Parse(Need(StepKey), CultureInfo.InvariantCulture), held);
            try
            {
                IReadOnlyDictionary<string, CheckpointTensor> Prefixed(string prefix) =>
                    contents.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
                ModelStateDict.Load(trainer.model, Prefixed("model."), path);
                ModelStateDict.Load(trainer.ema, Prefixed("ema."), path);
                trainer.optimizer.ImportState(Prefixed("opt."), long.Parse(Need(OptimizerStepKey), CultureInfo.InvariantCulture));
            }
            catch
            {
                trainer.Dispose();
                throw;
            }
            return trainer;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Trains until <see cref="TrainerOptions.Steps"/> or cancellation, then writes the checkpoint and the EMA weights.
    /// Logged: the weighted EDM loss and, as "mse", the unweighted ‖D − x₀‖² mean. Returns the steps done.
    /// </summary>
    /// <exception cref="TrainingFailedException">A step failed; the checkpoint of the last completed step was written first.</exception>
    public long Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default) =>
        TrainingLoop.Run(this, progress, cancellation);

    string ITrainingRun.RunDirectory => runDirectory;

    void ITrainingRun.BeginTraining() => model.train();

    StepLoss ITrainingRun.TrainStep(double learningRate)
    {
        // Everything random in this step comes from (seed, step).
        var (x0, y) = batch.Draw(Step);
        manual_seed(DerivedSeed.Of(Options.Seed, Step));
        var loss = EdmLoss.Compute(denoiser, x0, y);
        optimizer.ZeroGrad();
        loss.backward();
        FiniteGradients.Check(optimizer, Step, onDiverged: null);
        if (Options.GradientClip is { } clip) nn.utils.clip_grad_norm_(model.parameters(), clip);
        var result = new StepLoss(loss.item<float>());
        optimizer.Update(learningRate);
        average.Update();
        Step++;
        return result;
    }

    /// <summary>Writes the training checkpoint (model, EMA, optimizer, step, settings) and the EMA weights.</summary>
    public void SaveCheckpoint()
    {
        var tensors = new Dictionary<string, CheckpointTensor>();
        foreach (var (k, v) in ModelStateDict.Export(model)) tensors["model." + k] = v;
        foreach (var (k, v) in ModelStateDict.Export(ema)) tensors["ema." + k] = v;
        var (moments, optimizerStep) = optimizer.ExportState();
        foreach (var (k, v) in moments) tensors["opt." + k] = v;
        var metadata = ImageDiffiTCheckpoint.Metadata(model.Config, Edm);
        metadata[StepKey] = Step.ToString(CultureInfo.InvariantCulture);
        metadata[OptimizerStepKey] = optimizerStep.ToString(CultureInfo.InvariantCulture);
        metadata[TrainingCheckpoint.TrainerMetadataKey] = JsonSerializer.Serialize(Options);
        SafeTensorsFile.Write(Path.Combine(runDirectory, TrainingCheckpoint.FileName), tensors, metadata);
        ImageDiffiTCheckpoint.Save(Path.Combine(runDirectory, TrainingCheckpoint.EmaFileName), ema, Edm);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        optimizer.Dispose();
        denoiser.Dispose();
        model.Dispose();
        ema.Dispose();
        runLock.Dispose();
    }

    private static void CheckData(ImageDiffiTConfig config, IImageDataset data)
    {
        if (data.Count == 0) throw new ArgumentException("the dataset is empty");
        if (data.Channels != config.InChannels || data.Height != config.ImageSize || data.Width != config.ImageSize)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the data is {data.Channels}×{data.Height}×{data.Width} but the model takes {config.InChannels}×{config.ImageSize}×{config.ImageSize}"));
        if (config.Conditional && data.ClassCount > config.NumClasses)
            throw new ArgumentException($"the data has {data.ClassCount} classes but the model only {config.NumClasses}");
    }
}
