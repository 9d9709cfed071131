using DitML.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Training;

/// <summary>
/// AdamW with the update of PyTorch's torch.optim.AdamW (decoupled decay, bias-corrected moments). DitML keeps its own
/// so that the whole optimizer state can be written into a checkpoint and restored bit for bit on resume.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly (string Name, Parameter Param, Tensor ExpAvg, Tensor ExpAvgSq)[] slots;

    /// <summary>Optimizes the trainable parameters of <paramref name="module"/>.</summary>
    public AdamW(nn.Module module, AdamWOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        Options = (options ?? new AdamWOptions()).Validate();
        slots = module.named_parameters().Where(p => p.parameter.requires_grad)
            .Select(p => (p.name, p.parameter, zeros_like(p.parameter).requires_grad_(false), zeros_like(p.parameter).requires_grad_(false)))
            .ToArray();
    }

    /// <summary>The settings.</summary>
    public AdamWOptions Options { get; }

    /// <summary>Updates taken so far.</summary>
    public long Step { get; private set; }

    /// <summary>Clears the gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var s in slots) s.Param.grad?.zero_();
    }

    /// <summary>Whether every parameter's gradient is finite (no NaN, no ±∞); parameters without a gradient count as finite.</summary>
    public bool GradientsAreFinite()
    {
        foreach (var s in slots)
        {
            if (s.Param.grad is not { } g) continue;
            using var finite = g.isfinite().all();
            if (!finite.item<bool>()) return false;
        }
        return true;
    }

    /// <summary>
    /// One update from the current gradients (parameters without a gradient are skipped), at
    /// <paramref name="learningRate"/> (a schedule's rate for this step; null: <see cref="AdamWOptions.LearningRate"/>).
    /// </summary>
    public void Update(double? learningRate = null)
    {
        if (learningRate is { } given && !(given >= 0 && double.IsFinite(given)))
            throw new ArgumentOutOfRangeException(nameof(learningRate), given, "the learning rate must be ≥ 0 and finite");
        Step++;
        double b1 = Options.Beta1, b2 = Options.Beta2, lr = learningRate ?? Options.LearningRate;
        double correction1 = 1 - Math.Pow(b1, Step);
        double sqrtCorrection2 = Math.Sqrt(1 - Math.Pow(b2, Step));
        using var _ = no_grad();
        // Explicit scalars, alive until the loop ends: TorchSharp's implicit double→Scalar conversions leave the Scalar
        // to the finalizer, which can free it while libtorch still reads it ("Unknown scalar type" mid-run).
        using var decay = (1 - lr * Options.WeightDecay).ToScalar();
        using var beta1 = b1.ToScalar();
        using var beta2 = b2.ToScalar();
        using var oneMinusBeta1 = (1 - b1).ToScalar();
        using var oneMinusBeta2 = (1 - b2).ToScalar();
        using var correction2 = sqrtCorrection2.ToScalar();
        using var epsilon = Options.Epsilon.ToScalar();
        using var stepSize = (-lr / correction1).ToScalar();
        foreach (var (_, p, m, v) in slots)
        {
            var g = p.grad;
            if (g is null) continue;
            if (Options.WeightDecay != 0) p.mul_(decay);
            m.mul_(beta1).add_(g, alpha: oneMinusBeta1);
            v.mul_(beta2).addcmul_(g, g, value: oneMinusBeta2);
            using var denom = v.sqrt().div_(correction2).add_(epsilon);
            p.addcdiv_(m, denom, value: stepSize);
        }
    }

    /// <summary>The moments as checkpoint tensors ("exp_avg.NAME", "exp_avg_sq.NAME") and the step count.</summary>
    public (Dictionary<string, CheckpointTensor> Moments, long Step) ExportState()
    {
        var result = new Dictionary<string, CheckpointTensor>();
        foreach (var (name, _, m, v) in slots)
        {
            result["exp_avg." + name] = ToCheckpoint(m);
            result["exp_avg_sq." + name] = ToCheckpoint(v);
        }
        return (result, Step);
    }

    /// <summary>Restores a state written by <see cref="ExportState"/>; checks every name and shape first.</summary>
    /// <exception cref="InvalidDataException">A moment is missing or has the wrong shape; nothing is changed.</exception>
    public void ImportState(IReadOnlyDictionary<string, CheckpointTensor> moments, long step)
    {
        ArgumentNullException.ThrowIfNull(moments);
        if (step < 0) throw new InvalidDataException($"optimizer step must be ≥ 0, got {step}");
        var values = new List<(Tensor Target, float[] Values)>();
        foreach (var (name, _, m, v) in slots)
        {
            foreach (var (key, t) in new[] { ("exp_avg." + name, m), ("exp_avg_sq." + name, v) })
            {
                if (!moments.TryGetValue(key, out var c))
                    throw new InvalidDataException($"optimizer state lacks '{key}'");
                if (!c.Shape.SequenceEqual(t.shape))
                    throw new InvalidDataException($"optimizer state '{key}' has shape {CheckpointTensor.FormatShape(c.Shape)}, the model expects {CheckpointTensor.FormatShape(t.shape)}");
                values.Add((t, c.ToFloat32()));
            }
        }
        using var _ = no_grad();
        foreach (var (t, data) in values)
        {
            using var src = tensor(data, t.shape);
            t.copy_(src);
        }
        Step = step;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var s in slots)
        {
            s.ExpAvg.Dispose();
            s.ExpAvgSq.Dispose();
        }
    }

    private static CheckpointTensor ToCheckpoint(Tensor t)
    {
        using var c = t.detach().contiguous();
        return CheckpointTensor.FromFloat32(c.shape, c.data<float>().ToArray());
    }
}
