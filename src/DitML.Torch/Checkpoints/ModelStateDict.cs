using DitML.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Checkpoints;

/// <summary>
/// Moves weights between a TorchSharp module and a name → <see cref="CheckpointTensor"/> map (the form every
/// checkpoint format reads into). Loading is all-or-nothing: every key, shape and element type is checked
/// before the first weight is written.
/// </summary>
public static class ModelStateDict
{
    /// <summary>
    /// The module's state_dict in the module's order: float32 checkpoint tensors, except int64 buffers (latent DiffiT's
    /// <c>relative_position_index</c>, BatchNorm's <c>num_batches_tracked</c>), which stay int64 as PyTorch stores them.
    /// </summary>
    public static Dictionary<string, CheckpointTensor> Export(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var result = new Dictionary<string, CheckpointTensor>();
        foreach (var (name, value) in module.state_dict())
        {
            if (value.dtype == ScalarType.Int64)
            {
                using var ints = value.detach().to(CPU).contiguous();
                var values = ints.data<long>().ToArray();
                var bytes = new byte[values.Length * sizeof(long)];
                for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
                result[name] = new CheckpointTensor(TensorDType.Int64, ints.shape, bytes);
                continue;
            }
            result[name] = CheckpointTensor.FromFloat32(value.shape, Float32Values(value));
        }
        return result;
    }

    /// <summary>
    /// One state_dict entry's values as float32, row-major: what exporters read one tensor at a time, so that no copy
    /// of the whole model is ever held.
    /// </summary>
    public static float[] Float32Values(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var cpu = value.detach().to(ScalarType.Float32, CPU).contiguous();
        return cpu.data<float>().ToArray();
    }

    /// <summary>
    /// Copies <paramref name="weights"/> into <paramref name="module"/>. Keys must match exactly (unless
    /// <paramref name="ignoreKeys"/> names them) and shapes must agree; float16/bfloat16/float64 values are converted.
    /// </summary>
    /// <exception cref="InvalidDataException">Lists the missing and unexpected keys and every shape mismatch (key and
    /// both shapes); the module is left unchanged.</exception>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, CheckpointTensor> weights, string source = "checkpoint",
        IReadOnlySet<string>? ignoreKeys = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(weights);
        var target = module.state_dict();
        var problems = new List<string>();
        foreach (var key in target.Keys.Where(k => !weights.ContainsKey(k) && ignoreKeys?.Contains(k) != true))
            problems.Add($"missing key '{key}' (expected shape {CheckpointTensor.FormatShape(target[key].shape)})");
        foreach (var key in weights.Keys.Where(k => !target.ContainsKey(k) && ignoreKeys?.Contains(k) != true))
            problems.Add($"unexpected key '{key}' (shape {CheckpointTensor.FormatShape(weights[key].Shape)})");
        foreach (var (key, value) in weights)
        {
            if (target.TryGetValue(key, out var t) && !t.shape.SequenceEqual(value.Shape))
                problems.Add($"shape mismatch for '{key}': {source} has {CheckpointTensor.FormatShape(value.Shape)}, the model expects {CheckpointTensor.FormatShape(t.shape)}");
        }
        if (problems.Count > 0)
        {
            const int shown = 20;
            string list = string.Join(Environment.NewLine + "  ", problems.Take(shown));
            string more = problems.Count > shown ? $"{Environment.NewLine}  … and {problems.Count - shown} more" : "";
            throw new InvalidDataException($"{source} does not fit the model ({problems.Count} problem(s)):{Environment.NewLine}  {list}{more}");
        }

        // Every checked tensor converts (each TensorDType has a float32 conversion; the byte count was checked when the
        // tensor was made), so the module cannot be left half-written: convert and copy one tensor at a time, never
        // holding a float32 copy of the whole checkpoint beside the file's tensors and the module.
        var unknown = weights.Where(kv => target.ContainsKey(kv.Key) && !Enum.IsDefined(kv.Value.DType)).Select(kv => kv.Key).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"{source}: unsupported element type in {string.Join(", ", unknown.Select(k => $"'{k}'"))}");
        using var _ = no_grad();
        foreach (var (key, t) in target)
        {
            if (!weights.TryGetValue(key, out var value)) continue;
            if (BitConverter.IsLittleEndian && value.DType == TensorDType.Float32 && t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous())
            {
                t.bytes = value.Data;                                                   // the file's little-endian bytes, as stored
                continue;
            }
            using var source32 = tensor(value.ToFloat32(), t.shape);
            t.copy_(source32);
        }
    }
}
