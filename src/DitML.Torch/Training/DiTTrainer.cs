using System.Globalization;
using DitML.Checkpoints;
using DitML.Data;
using DitML.Diffusion;
using DitML.Models;
using DitML.Precision;
using TorchSharp;
using static TorchSharp.torch;
using DitML.Dit;
using DitML.DiffiT;

namespace DitML.Training;

/// <summary>
/// Trains a DiT — or a latent DiffiT (<see cref="Create(LatentDiffiTConfig, IImageDataset, TrainerOptions, string)"/>;
/// the release has no training code, so it gets DiT's recipe, as the paper's "ADM diffusion settings" suggest) — with
/// the official recipe on an <see cref="IImageDataset"/>: uniform t, the hybrid loss, AdamW, EMA, class dropout (in the
/// model), optional clipping and horizontal flips. Writes into a run folder: checkpoints (exact resume),
/// <c>ema.safetensors</c> (a DitML model checkpoint of the family), and <c>log.jsonl</c>. Every random draw of step s
/// derives from (seed, s), so a run stopped and resumed logs the same losses as one that ran straight through.
/// </summary>
public sealed class DiTTrainer : IDisposable, ITrainingRun
{
    private readonly IImageDataset data;
    private readonly string runDirectory;
    private readonly IDiffusionTransformer model;
    private readonly IDiffusionTransformer ema;
    private readonly AdamW optimizer;
    private readonly ExponentialMovingAverage average;
    private readonly DiffusionLoss loss = new();
    private readonly TrainingBatch batch;
    private readonly RunFolderLock runLock;

    private DiTTrainer(Architecture config, IImageDataset data, TrainerOptions options, string runDirectory, long step, RunFolderLock runLock)
    {
        this.runLock = runLock;
        this.data = data;
        this.runDirectory = runDirectory;
        Options = options.Validate();
        CheckData(config, data);
        manual_seed(options.Seed);
        model = config.Build();
        ema = config.Build();
        optimizer = new AdamW(model.Module, options.Optimizer);
        average = new ExponentialMovingAverage(model.Module, ema.Module, options.EmaDecay);
        batch = new TrainingBatch(data, options.BatchSize, options.Seed, options.HorizontalFlip);
        Step = step;
        // Steps logged past the checkpoint (a run killed between checkpoints) are trained and logged again.
        TrainingLog.TruncateTo(Path.Combine(runDirectory, TrainingLog.FileName), step);
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Steps done.</summary>
    public long Step { get; private set; }

    /// <summary>The trained model of a DiT run.</summary>
    /// <exception cref="InvalidOperationException">A latent DiffiT run (see <see cref="Network"/>).</exception>
    public DiT Model => model as DiT ?? throw new InvalidOperationException("a latent DiffiT run: its model is Network");

    /// <summary>The EMA of a DiT run's weights (what sampling uses).</summary>
    /// <exception cref="InvalidOperationException">A latent DiffiT run (see <see cref="EmaNetwork"/>).</exception>
    public DiT Ema => ema as DiT ?? throw new InvalidOperationException("a latent DiffiT run: its EMA is EmaNetwork");

    /// <summary>The trained model, whatever its family (a <see cref="DiT"/> or a <see cref="LatentDiffiT"/>).</summary>
    public IDiffusionTransformer Network => model;

    /// <summary>The EMA of the model's weights, whatever its family.</summary>
    public IDiffusionTransformer EmaNetwork => ema;

    /// <summary>
    /// Starts a new run in <paramref name="runDirectory"/> (created; must not hold a checkpoint already). Everything is
    /// checked before the folder is created, so bad settings leave no folder behind.
    /// </summary>
    public static DiTTrainer Create(DiTConfig config, IImageDataset data, TrainerOptions options, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Create(Architecture.Of(config.Validate()), data, options, runDirectory);
    }

    /// <summary>Starts a new latent DiffiT run in <paramref name="runDirectory"/> (as the DiT overload).</summary>
    public static DiTTrainer Create(LatentDiffiTConfig config, IImageDataset data, TrainerOptions options, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Create(Architecture.Of(config.Validate()), data, options, runDirectory);
    }

    private static DiTTrainer Create(Architecture config, IImageDataset data, TrainerOptions options, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckData(config, data);
        if (File.Exists(Path.Combine(runDirectory, TrainingCheckpoint.FileName)))
            throw new ArgumentException($"{runDirectory} already holds a run; resume it (--resume) or choose another folder");
        bool created = !Directory.Exists(runDirectory);
        Directory.CreateDirectory(runDirectory);
        RunFolderLock? held = null;
        try
        {
            held = RunFolderLock.Acquire(runDirectory);
            if (File.Exists(Path.Combine(runDirectory, TrainingCheckpoint.FileName)))
                throw new ArgumentException($"{runDirectory} already holds a run; resume it (--resume) or choose another folder");
            return new DiTTrainer(config, data, options, runDirectory, 0, held);
        }
        catch
        {
            held?.Dispose();
            if (created && !Directory.EnumerateFileSystemEntries(runDirectory).Any()) Directory.Delete(runDirectory);
            throw;
        }
    }

    /// <summary>Key of the class-label table in a DiT state dict (replaced when fine-tuning to another class count).</summary>
    private const string LabelTableKey = "y_embedder.embedding_table.weight";

    /// <summary>
    /// Starts a new run (fine-tuning) from the weights of <paramref name="initPath"/>: an official DiT .pt or
    /// .safetensors, a latent DiffiT state_dict (the released diffit_256.safetensors), a DitML model checkpoint or a
    /// DitML training checkpoint (its EMA weights when it has them); the family is the file's. Only
    /// the weights are taken: the optimizer, EMA (a copy of the loaded weights) and step count start fresh. With
    /// <paramref name="numClasses"/> different from the file's, the label table is new (initialized as a fresh
    /// model's) and every other weight is kept.
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the model it describes (every key named).</exception>
    public static DiTTrainer FineTune(string initPath, IImageDataset data, TrainerOptions options, string runDirectory, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(initPath);
        ArgumentNullException.ThrowIfNull(data);
        if (!File.Exists(initPath)) throw new FileNotFoundException($"the weights to start from (--init) do not exist: {initPath}", initPath);
        if (numClasses is <= 0) throw new ArgumentException($"the number of classes must be positive, got {numClasses}", nameof(numClasses));
        var contents = CheckpointFile.Open(initPath);
        Architecture config;
        bool newTable;
        if (LatentDiffiTCheckpoint.Recognizes(contents))
        {
            var loaded = contents.Metadata.TryGetValue(LatentDiffiTCheckpoint.ConfigMetadataKey, out var json)
                ? LatentDiffiTConfig.FromJson(json) : LatentDiffiTCheckpoint.InferConfig(contents, initPath);
            newTable = numClasses is { } k && k != loaded.NumClasses;
            config = Architecture.Of(newTable ? loaded with { NumClasses = numClasses!.Value } : loaded);
        }
        else
        {
            var loaded = DiTCheckpoint.ResolveConfig(contents, null, initPath);
            newTable = numClasses is { } k && k != loaded.NumClasses;
            config = Architecture.Of(newTable ? loaded with { NumClasses = numClasses!.Value } : loaded);
        }
        var weights = newTable ? contents.Tensors.Where(kv => kv.Key != LabelTableKey).ToDictionary(kv => kv.Key, kv => kv.Value) : contents.Tensors;
        bool created = !Directory.Exists(runDirectory);
        var trainer = Create(config, data, options, runDirectory);
        try
        {
            ModelStateDict.Load(trainer.model.Module, weights, initPath, newTable ? new HashSet<string> { LabelTableKey } : null);
            ModelStateDict.Load(trainer.ema.Module, ModelStateDict.Export(trainer.model.Module), initPath);
            trainer.InitializedFrom = initPath;
        }
        catch
        {
            trainer.Dispose();
            if (created) Directory.Delete(runDirectory, recursive: true);
            throw;
        }
        return trainer;
    }

    /// <summary>The weights file a fine-tuning run started from (null otherwise).</summary>
    public string? InitializedFrom { get; private set; }

    /// <summary>Continues the run in <paramref name="runDirectory"/>; <paramref name="steps"/> changes its target step count.</summary>
    public static DiTTrainer Resume(string runDirectory, IImageDataset data, long? steps = null) =>
        Resume(runDirectory, data, new ResumeOptions { Steps = steps });

    /// <summary>
    /// Continues the run in <paramref name="runDirectory"/> toward its stored target, or <see cref="ResumeOptions.Steps"/>;
    /// settings that differ from the stored run are refused unless <see cref="ResumeOptions.Overrides"/> lists them.
    /// </summary>
    /// <exception cref="ArgumentException">A setting differs (the message names each) or the data does not fit.</exception>
    public static DiTTrainer Resume(string runDirectory, IImageDataset data, ResumeOptions resume)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(resume);
        string path = Path.Combine(runDirectory, TrainingCheckpoint.FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"no checkpoint to resume in {runDirectory}", path);
        var held = RunFolderLock.Acquire(runDirectory);
        DiTTrainer trainer;
        try
        {
            var (stored, step, contents) = TrainingCheckpoint.ReadState(path);
            Architecture config;
            TrainerOptions options;
            if (contents.Metadata.TryGetValue(LatentDiffiTCheckpoint.ConfigMetadataKey, out var diffitJson))
            {
                var diffit = LatentDiffiTConfig.FromJson(diffitJson);
                options = resume.Apply(diffit, stored, TrainingCheckpoint.ReadData(contents), DataSummary.Of(data));
                config = Architecture.Of(diffit);
            }
            else
            {
                var dit = contents.Metadata.TryGetValue(DiTCheckpoint.ConfigMetadataKey, out var ditJson) ? DiTConfig.FromJson(ditJson)
                    : throw new InvalidDataException($"{path}: not a DitML training checkpoint (no '{DiTCheckpoint.ConfigMetadataKey}' in its metadata)");
                options = resume.Apply(dit, stored, TrainingCheckpoint.ReadData(contents), DataSummary.Of(data));
                config = Architecture.Of(dit);
            }
            trainer = new DiTTrainer(config, data, options, runDirectory, step, held) { StoredTarget = stored.Steps };
            try
            {
                TrainingCheckpoint.Restore(contents, trainer.model, trainer.ema, trainer.optimizer, path);
            }
            catch
            {
                trainer.Dispose();
                throw;
            }
        }
        catch
        {
            held.Dispose();
            throw;
        }
        return trainer;
    }

    /// <summary>The target step count stored in the resumed checkpoint (null for a new run).</summary>
    public long? StoredTarget { get; private init; }

    /// <summary>
    /// Trains until <see cref="TrainerOptions.Steps"/> or cancellation; on either, writes a checkpoint and the EMA
    /// weights. Returns the steps done.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// A step's gradients are not finite (training diverged); the checkpoint of the step before it is written first.
    /// </exception>
    /// <exception cref="TrainingFailedException">
    /// A step failed (a data error, a divergence, an exception); the checkpoint of the last completed step was written
    /// first, and the cause is the inner exception.
    /// </exception>
    public long Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default) =>
        TrainingLoop.Run(this, progress, cancellation);

    string ITrainingRun.RunDirectory => runDirectory;

    void ITrainingRun.BeginTraining() => model.Module.train();

    StepLoss ITrainingRun.TrainStep(double learningRate)
    {
        // Everything random in this step comes from (seed, step).
        var (x0, y) = batch.Draw(Step);
        manual_seed(DerivedSeed.Of(Options.Seed, Step));
        var t = loss.SampleTimesteps(x0.shape[0]);
        var noise = randn_like(x0);
        DiffusionLossTerms terms;
        using (MixedPrecision.Enter(Options.Precision))                 // the model's output, hence the loss, is float32
            terms = loss.Compute((xt, tt) => model.forward(xt, tt, y), x0, t, noise);
        var mean = terms.Loss.mean();
        optimizer.ZeroGrad();
        mean.backward();
        // The checkpoint of the step before is written by the loop's failure handler.
        FiniteGradients.Check(optimizer, Step, onDiverged: null);
        if (Options.GradientClip is { } clip) nn.utils.clip_grad_norm_(model.Module.parameters(), clip);
        var result = new StepLoss(mean.item<float>(), terms.Mse.mean().item<float>(), terms.Vb is null ? 0 : terms.Vb.mean().item<float>());
        optimizer.Update(learningRate);
        average.Update();
        Step++;
        return result;
    }

    /// <summary>Writes the training checkpoint and the EMA weights (a DitML model checkpoint with its config).</summary>
    public void SaveCheckpoint()
    {
        TrainingCheckpoint.Save(Path.Combine(runDirectory, TrainingCheckpoint.FileName), model, ema, optimizer, Step, Options, DataSummary.Of(data));
        string emaPath = Path.Combine(runDirectory, TrainingCheckpoint.EmaFileName);
        if (ema is LatentDiffiT diffit) LatentDiffiTCheckpoint.Save(emaPath, diffit);
        else DiTCheckpoint.Save(emaPath, (DiT)ema);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        optimizer.Dispose();
        model.Dispose();
        ema.Dispose();
        runLock.Dispose();
    }

    /// <summary>What a run builds: a model of either family, and the sizes the data must fit.</summary>
    private sealed record Architecture(Func<IDiffusionTransformer> Build, int InChannels, int InputSize, int NumClasses)
    {
        public static Architecture Of(DiTConfig c) => new(() => new DiT(c), c.InChannels, c.InputSize, c.NumClasses);

        public static Architecture Of(LatentDiffiTConfig c) => new(() => new LatentDiffiT(c), c.InChannels, c.InputSize, c.NumClasses);
    }

    private static void CheckData(Architecture config, IImageDataset data)
    {
        if (data.Count == 0) throw new ArgumentException("the dataset is empty");
        if (data.Channels != config.InChannels || data.Height != config.InputSize || data.Width != config.InputSize)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the data is {data.Channels}×{data.Height}×{data.Width} but the model takes {config.InChannels}×{config.InputSize}×{config.InputSize}"));
        if (data.ClassCount > config.NumClasses)
            throw new ArgumentException($"the data has {data.ClassCount} classes but the model only {config.NumClasses}");
    }
}
