using System.Globalization;
using DitML.Checkpoints;
using DitML.Dit;
using DitML.Models;

namespace DitML.Training;

/// <summary>
/// A DitML run's checkpoint as the official DiT train.py saves its own: a torch.save'd dict
/// <c>{"model": state_dict, "ema": state_dict, "opt": AdamW.state_dict(), "args": argparse.Namespace}</c>. The model and
/// EMA load strictly into the official <c>DiT_models[args.model]</c>; <c>opt</c> loads into
/// <c>torch.optim.AdamW(model.parameters())</c> with each parameter's moments and the step (PyTorch ≥ 1.12 layout);
/// <c>args</c> carries train.py's argument names, so PyTorch code written for official checkpoints reads it.
/// </summary>
public static class OfficialTrainingCheckpoint
{
    /// <summary>Reads a DitML training checkpoint (<see cref="TrainingCheckpoint.FileName"/>) and writes it as the official dict.</summary>
    /// <exception cref="InvalidDataException">The input is not a DitML training checkpoint.</exception>
    public static void Convert(string runCheckpointPath, string outputPath)
    {
        var (config, options, _, contents) = TrainingCheckpoint.Read(runCheckpointPath);
        using var model = new DiT(config);
        using var ema = new DiT(config);
        using var optimizer = new AdamW(model, options.Optimizer);
        TrainingCheckpoint.Restore(contents, model, ema, optimizer, runCheckpointPath);
        PyTorchCheckpoint.WriteObject(outputPath, Build(model, ema, optimizer, options));
    }

    /// <summary>
    /// Starts a DitML run folder from an official training checkpoint (the official train.py's, or one
    /// <see cref="Convert"/> wrote): model, EMA, AdamW moments, step and the optimizer's settings, so that
    /// <c>DiTTrainer.Resume</c> continues it. The other settings come from
    /// <paramref name="options"/> (batch, seed, EMA decay, steps). Returns the step the run is at.
    /// </summary>
    /// <exception cref="ArgumentException">The folder already holds a run.</exception>
    /// <exception cref="InvalidDataException">The file is not an official training checkpoint, or its weights and moments do not fit.</exception>
    /// <param name="officialPath">The .pt file.</param>
    /// <param name="runDirectory">The new run folder.</param>
    /// <param name="options">The run's other settings.</param>
    /// <param name="data">What the run trains on, stored for resume checks (null: not checked).</param>
    /// <param name="config">The architecture; null takes it from the file (DitML's config, else train.py's args.model and the shapes).</param>
    public static long Import(string officialPath, string runDirectory, TrainerOptions options, DataSummary? data = null, DiTConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        string checkpoint = Path.Combine(runDirectory, TrainingCheckpoint.FileName);
        if (File.Exists(checkpoint)) throw new ArgumentException($"{runDirectory} already holds a run ({TrainingCheckpoint.FileName}); resume it instead");
        var state = PyTorchCheckpoint.ReadOptimizerState(officialPath);
        using var model = DiTCheckpoint.Load(officialPath, new DiTLoadOptions { Weights = CheckpointWeights.Model, Config = config });
        using var ema = DiTCheckpoint.Load(officialPath, new DiTLoadOptions { Weights = CheckpointWeights.Ema, Config = model.Config });
        var names = model.named_parameters().Select(p => p.name).ToList();
        if (state.ParameterCount != names.Count)
            throw new InvalidDataException($"{officialPath}: the optimizer holds {state.ParameterCount} parameters, {model.Config.Name ?? "the model"} has {names.Count}");
        var moments = new Dictionary<string, CheckpointTensor>();
        foreach (var (index, (m, v)) in state.Moments)
        {
            if (index < 0 || index >= names.Count) throw new InvalidDataException($"{officialPath}: optimizer state for parameter {index} of {names.Count}");
            moments["exp_avg." + names[(int)index]] = m;
            moments["exp_avg_sq." + names[(int)index]] = v;
        }
        var optimizerOptions = options.Optimizer with
        {
            LearningRate = state.LearningRate, Beta1 = state.Beta1, Beta2 = state.Beta2, Epsilon = state.Epsilon, WeightDecay = state.WeightDecay,
        };
        using var optimizer = new AdamW(model, optimizerOptions);
        optimizer.ImportState(moments, state.Step);
        var runOptions = (options with { Optimizer = optimizerOptions, Steps = Math.Max(options.Steps, state.Step) }).Validate();
        Directory.CreateDirectory(runDirectory);
        TrainingCheckpoint.Save(checkpoint, model, ema, optimizer, state.Step, runOptions, data);
        DiTCheckpoint.Save(Path.Combine(runDirectory, TrainingCheckpoint.EmaFileName), ema);
        return state.Step;
    }

    /// <summary>The official dict of a model, its EMA, their optimizer and the run's options.</summary>
    public static IReadOnlyDictionary<string, object?> Build(DiT model, DiT ema, AdamW optimizer, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ema);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        var (moments, step) = optimizer.ExportState();
        // torch.optim keys its state by the index of the parameter in model.parameters(): registration order, which
        // DitML's modules share with the official ones (checkpoint-compatible names in the same order).
        var names = model.named_parameters().Select(p => p.name).ToList();
        var stepTensor = CheckpointTensor.FromFloat32([], [step]);       // PyTorch ≥ 1.12 keeps "step" as a 0-d float tensor
        // Frozen parameters (pos_embed, requires_grad False) are in the list but, never updated, have no state.
        var state = names.Select((name, i) => (name, i)).Where(p => moments.ContainsKey("exp_avg." + p.name))
            .Select(p => KeyValuePair.Create((long)p.i, (object?)new Dictionary<string, object?>
            {
                ["step"] = stepTensor,
                ["exp_avg"] = moments["exp_avg." + p.name],
                ["exp_avg_sq"] = moments["exp_avg_sq." + p.name],
            })).ToList();
        var o = options.Optimizer;
        var group = new Dictionary<string, object?>
        {
            ["lr"] = o.LearningRate,
            ["betas"] = new PythonTuple([o.Beta1, o.Beta2]),
            ["eps"] = o.Epsilon,
            ["weight_decay"] = o.WeightDecay,
            ["amsgrad"] = false,
            ["foreach"] = null,
            ["maximize"] = false,
            ["capturable"] = false,
            ["params"] = Enumerable.Range(0, names.Count).Select(i => (object?)(long)i).ToList(),
        };
        var opt = new Dictionary<string, object?> { ["state"] = state, ["param_groups"] = new List<object?> { group } };
        var config = model.Config;
        bool latent = config.InChannels == 4;
        var args = new PythonNamespace(
        [
            KeyValuePair.Create("data_path", (object?)""),
            KeyValuePair.Create("results_dir", (object?)"results"),
            KeyValuePair.Create("model", (object?)(config.Name ?? "custom")),
            KeyValuePair.Create("image_size", (object?)(long)(latent ? config.InputSize * 8 : config.InputSize)),
            KeyValuePair.Create("num_classes", (object?)(long)config.NumClasses),
            KeyValuePair.Create("epochs", (object?)1400L),
            KeyValuePair.Create("global_batch_size", (object?)(long)options.BatchSize),
            KeyValuePair.Create("global_seed", (object?)options.Seed),
            KeyValuePair.Create("vae", (object?)"ema"),
            KeyValuePair.Create("num_workers", (object?)4L),
            KeyValuePair.Create("log_every", (object?)(long)options.LogEvery),
            KeyValuePair.Create("ckpt_every", (object?)(long)options.CheckpointEvery),
            KeyValuePair.Create("train_steps", (object?)step),
            // The exact config (free sizes, pixel space, conditioning), which train.py's model name cannot say.
            KeyValuePair.Create("ditml_config", (object?)config.ToJson()),
        ]);
        return new Dictionary<string, object?>                                // train.py saves a plain dict
        {
            ["model"] = StateDict(model),
            ["ema"] = StateDict(ema),
            ["opt"] = opt,
            ["args"] = args,
        };
    }

    private static PythonOrderedDict StateDict(DiT module) =>
        new(ModelStateDict.Export(module).Select(kv => KeyValuePair.Create(kv.Key, (object?)kv.Value)).ToList());
}
