using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DitML.Checkpoints;
using DitML.Cli.Commands;
using DitML.Data;
using DitML.Generation;
using DitML.Metrics;
using DitML.Models;
using DitML.Onnx;
using DitML.Sampling;
using DitML.Training;
using DitML.Dit;

namespace DitML.Cli.Sweeps;

/// <summary>
/// Trains trials with <see cref="DiTTrainer"/> (each trial folder is an ordinary `ditml train` run folder) and scores
/// them: the EMA weights are exported to <c>model.onnx</c>, sampled with every sampling setting
/// (<c>samples_per_class</c> images per class, seeds fixed by the sweep seed), and classified by the ONNX classifier
/// for class accuracy and FID against the reference statistics.
/// </summary>
public sealed class DiTSweepBackend : ISweepBackend, IDisposable
{
    private const string MinutesFileName = "sweep-minutes.json";
    private readonly SweepConfig config;
    private readonly IImageDataset data;
    private readonly OnnxImageClassifier classifier;
    private readonly (double[] Mean, double[] Covariance)? reference;
    private readonly TextWriter error;

    /// <summary>Opens the classifier and the statistics and checks they fit the data.</summary>
    /// <exception cref="ArgumentException">The classifier's input does not match the images, or the statistics its features.</exception>
    public DiTSweepBackend(SweepConfig config, IImageDataset data, TextWriter error)
    {
        this.config = config;
        this.data = data;
        this.error = error;
        if (!File.Exists(config.Classifier)) throw new FileNotFoundException($"sweep config classifier: no file {config.Classifier}", config.Classifier);
        classifier = new OnnxImageClassifier(config.Classifier);
        var shape = classifier.InputShape;
        if (shape[0] != data.Channels || shape[1] != data.Height || shape[2] != data.Width)
        {
            classifier.Dispose();
            throw new ArgumentException($"sweep config classifier: {config.Classifier} takes {shape[0]}×{shape[1]}×{shape[2]} images but the data has {data.Channels}×{data.Height}×{data.Width}", "classifier");
        }
        if (File.Exists(config.Statistics))
        {
            reference = StatisticsFile.Load(config.Statistics);
            if (reference.Value.Mean.Length != classifier.FeatureSize)
            {
                classifier.Dispose();
                throw new ArgumentException($"sweep config statistics: {config.Statistics} has {reference.Value.Mean.Length}-d features but the classifier gives {classifier.FeatureSize}", "statistics");
            }
        }
        else if (config.MetricKind == SweepMetric.Fid)
        {
            classifier.Dispose();
            throw new FileNotFoundException($"sweep config statistics: no file {config.Statistics} (needed for the fid metric)", config.Statistics);
        }
    }

    /// <summary>The model shape of a trial on this data.</summary>
    public DiTConfig ModelConfig(SweepTrial trial) => new DiTConfig
    {
        InputSize = data.Height,
        InChannels = data.Channels,
        NumClasses = data.ClassCount,
        Depth = trial.Depth,
        HiddenSize = trial.HiddenSize,
        NumHeads = trial.Heads,
        PatchSize = trial.Patch,
    }.Validate();

    /// <inheritdoc/>
    public long Train(SweepTrial trial, string directory, SweepBudget total, CancellationToken cancellation)
    {
        bool resume = File.Exists(Path.Combine(directory, TrainingCheckpoint.FileName));
        long target = total.Steps ?? long.MaxValue / 4;
        using var trainer = resume
            ? DiTTrainer.Resume(directory, data, target)
            : DiTTrainer.Create(ModelConfig(trial), data, new TrainerOptions
            {
                Steps = target,
                BatchSize = trial.Batch,
                Optimizer = new AdamWOptions { LearningRate = trial.Lr },
                EmaDecay = config.Ema,
                Seed = config.Seed,
                LogEvery = config.LogEvery,
            }, directory);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        string minutesFile = Path.Combine(directory, MinutesFileName);
        double used = File.Exists(minutesFile) ? JsonSerializer.Deserialize<double>(File.ReadAllText(minutesFile)) : 0;
        if (total.Minutes is { } minutes)
        {
            double remaining = minutes - used;
            if (remaining <= 0) return trainer.Step;
            budget.CancelAfter(TimeSpan.FromMinutes(remaining));
        }
        var watch = Stopwatch.StartNew();
        long done;
        if (total.Steps is { } steps && steps > trainer.Step)
        {
            using var bar = new ProgressBar(error, $"training {trial.Id}", (int)Math.Min(int.MaxValue, steps - trainer.Step));
            done = trainer.Run(new BarProgress(bar, trainer.Step), budget.Token);
        }
        else
        {
            done = trainer.Run(null, budget.Token);
        }
        File.WriteAllText(minutesFile, (used + watch.Elapsed.TotalMinutes).ToString("R", CultureInfo.InvariantCulture));
        return done;
    }

    /// <inheritdoc/>
    public SweepRungResult Evaluate(SweepTrial trial, string directory, int rung, long steps, IReadOnlyList<SweepSampling> sampling)
    {
        string onnx = Path.Combine(directory, "model.onnx");
        DiTConfig modelConfig;
        using (var ema = DiTCheckpoint.Load(Path.Combine(directory, TrainingCheckpoint.EmaFileName)))
        {
            modelConfig = ema.Config;
            DiTOnnxExporter.Export(ema, new DiTOnnxExportOptions { Space = ModelSpace.Pixel, GuidanceScale = sampling[0].Guidance }).Save(onnx);
        }
        int classes = Math.Min(modelConfig.NumClasses, classifier.Classes);
        int perClass = config.SamplesPerClass;
        var labels = Enumerable.Range(0, classes * perClass).Select(i => (long)(i / perClass)).ToArray();
        var seeds = Enumerable.Range(0, labels.Length).Select(i => DerivedSeed.Of(config.Seed, i)).ToArray();
        var evaluations = new List<SweepEvaluation>();
        foreach (var s in sampling)
        {
            var watch = Stopwatch.StartNew();
            using var generator = DiffusionGenerator.Open(onnx, new DiffusionGeneratorOptions
            {
                Sampler = new SamplerOptions { Sampler = SamplerOptions.ParseSampler(s.Sampler), Steps = s.Steps, GuidanceScale = s.Guidance },
            });
            var pixels = new float[labels.Length * generator.Channels * generator.Height * generator.Width];
            generator.Generate(labels, seeds, pixels);
            for (int i = 0; i < pixels.Length; i++)
                if (!float.IsFinite(pixels[i])) pixels[i] = 0;                  // a diverged sample scores as grey, not NaN
            var (features, probabilities) = classifier.Run(pixels);
            var generated = new ImageFeatures(features, classifier.FeatureSize, probabilities, classifier.Classes, labels);
            double accuracy, fid = double.NaN;
            if (reference is { } r)
            {
                var metrics = Evaluator.Evaluate(generated, r.Mean, r.Covariance);
                (accuracy, fid) = (metrics.ClassAccuracy!.Value, metrics.Fid);
            }
            else
            {
                accuracy = GenerativeMetrics.ClassAccuracy(probabilities, labels, classifier.Classes);   // no reference: no FID
            }
            evaluations.Add(new SweepEvaluation(s, accuracy, fid, watch.Elapsed.TotalSeconds));
        }
        return new SweepRungResult(trial, rung, steps, DiTComplexity.Gflops(modelConfig), DiTComplexity.Parameters(modelConfig), evaluations);
    }

    private static readonly GenerationEvaluator Evaluator = new();

    /// <inheritdoc/>
    public void Dispose() => classifier.Dispose();

    private sealed class BarProgress(ProgressBar bar, long start) : IProgress<TrainingProgress>
    {
        private long last = start;

        public void Report(TrainingProgress value)
        {
            bar.Advance((int)(value.Step - last), string.Create(CultureInfo.InvariantCulture, $"loss {value.Loss:F4}  {value.StepsPerSecond:F2} steps/s"));
            last = value.Step;
        }
    }
}
