using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace DitML.Checkpoints;

/// <summary>
/// Reads and writes PyTorch checkpoints in the zip format torch.save uses since 1.6 — a pickle (<c>data.pkl</c>) whose
/// tensors point at storages stored as <c>data/KEY</c> entries — and reads the legacy format before it
/// (sequential pickles, then raw storages). Reads a bare state_dict (as the released DiT weights) and the official training
/// dict {"model", "ema", "opt", "args"}. Unpickling is safe: only what a state_dict needs is
/// resolved (see <see cref="UnsafePickleException"/>).
/// </summary>
public static class PyTorchCheckpoint
{
    /// <summary>Reads the state_dict of a .pt file; <paramref name="weights"/> picks EMA or raw weights of a training dict.</summary>
    /// <exception cref="InvalidDataException">The file is not a PyTorch checkpoint (zip or legacy), is truncated or corrupt, or holds no state_dict.</exception>
    /// <exception cref="UnsafePickleException">The pickle references code outside the allowlist.</exception>
    public static CheckpointContents Read(string path, CheckpointWeights weights = CheckpointWeights.Auto)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        if (LegacyPyTorchFormat.Recognizes(path))
        {
            var (legacyRoot, legacyStorages) = LegacyPyTorchFormat.Load(path);
            return Build(legacyRoot, weights, path, storage => legacyStorages[storage.Key]);
        }
        using var zip = OpenZip(path);
        var (root, prefix) = Unpickle(zip, path);
        return Build(root, weights, path, storage => ReadStorage(zip, prefix, storage, path));
    }

    /// <summary>
    /// Opens the state_dict of a .pt file as <see cref="Read"/> does, but leaves each tensor's bytes in the archive until
    /// its <see cref="CheckpointTensor.Data"/> is asked for (deferred tensors; each read reopens the archive and reads
    /// that tensor's storage), so a loader that copies one tensor at a time never holds the whole file. The structure,
    /// every storage's declared size and every tensor's view are checked here. A legacy (pre-1.6) file is read at once.
    /// </summary>
    /// <exception cref="InvalidDataException">As <see cref="Read"/>.</exception>
    /// <exception cref="UnsafePickleException">As <see cref="Read"/>.</exception>
    public static CheckpointContents Open(string path, CheckpointWeights weights = CheckpointWeights.Auto)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        if (LegacyPyTorchFormat.Recognizes(path)) return Read(path, weights);
        using var zip = OpenZip(path);
        var (root, prefix) = Unpickle(zip, path);
        var (stateDict, selected, args) = Select(root, weights, path);
        var tensors = new Dictionary<string, CheckpointTensor>();
        foreach (var (name, t) in Entries(stateDict, path))
        {
            CheckStorage(zip, prefix, t.Storage, path);
            CheckView(name, t, path);
            tensors[name] = new CheckpointTensor(t.Storage.DType, t.Size, () =>
            {
                using var archive = OpenZip(path);
                return Materialize(name, t, ReadStorage(archive, prefix, t.Storage, path), path).Data;
            });
        }
        return new CheckpointContents(tensors, args, selected);
    }

    private static ZipArchive OpenZip(string path)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not a PyTorch checkpoint (neither torch.save's zip format nor its legacy format; truncated or corrupt?)", e);
        }
    }

    /// <summary>The unpickled data.pkl of a torch.save archive and the archive's folder prefix.</summary>
    private static (object? Root, string Prefix) Unpickle(ZipArchive zip, string path)
    {
        var pickleEntry = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
            ?? throw new InvalidDataException($"{path}: the zip has no <archive>/data.pkl entry, so it is not a torch.save file");
        return (new SafeUnpickler(ReadEntry(pickleEntry, path), path).Load(), pickleEntry.FullName[..^"data.pkl".Length]);
    }

    /// <summary>The state_dict's tensor entries (extra states skipped), each named.</summary>
    private static IEnumerable<(string Name, TensorRef Tensor)> Entries(Dictionary<object, object?> stateDict, string path)
    {
        foreach (var (key, value) in stateDict)
        {
            string name = key as string ?? throw new InvalidDataException($"{path}: state_dict key {key} is not a string");
            if (value is not TensorRef t)
            {
                if (name.EndsWith("._extra_state", StringComparison.Ordinal)) continue;
                throw new InvalidDataException($"{path}: state_dict entry '{name}' is not a tensor");
            }
            yield return (name, t);
        }
    }

    /// <summary>
    /// Reads the AdamW state (<c>opt</c>) of an official training checkpoint {"model", "ema", "opt", "args"}, as the
    /// official train.py or <c>ditml convert</c> write it (torch.save's zip format).
    /// </summary>
    /// <exception cref="InvalidDataException">No "opt" entry, or one that is not a single-group Adam-style state.</exception>
    public static OptimizerState ReadOptimizerState(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        using var zip = ZipFile.OpenRead(path);
        var (root, prefix) = Unpickle(zip, path);
        InvalidDataException Bad(string what) => new($"{path}: {what}");
        if (root is not Dictionary<object, object?> dict || !dict.TryGetValue("opt", out var optValue) || optValue is not Dictionary<object, object?> opt)
            throw Bad("no \"opt\" entry: not a training checkpoint of the official train.py");
        if (opt.GetValueOrDefault("param_groups") is not List<object?> { Count: 1 } groups || groups[0] is not Dictionary<object, object?> group)
            throw Bad("\"opt\" has not exactly one parameter group");
        CheckpointTensor Tensor(object? value, string name) => value is TensorRef t
            ? Materialize(name, t, ReadStorage(zip, prefix, t.Storage, path), path)
            : throw Bad($"optimizer entry {name} is not a tensor");
        double Number(string key) => group.GetValueOrDefault(key) switch
        {
            double d => d,
            long l => l,
            _ => throw Bad($"optimizer setting '{key}' is missing or not a number"),
        };
        var moments = new Dictionary<long, (CheckpointTensor, CheckpointTensor)>();
        long step = 0;
        if (opt.GetValueOrDefault("state") is not Dictionary<object, object?> state) throw Bad("\"opt\" has no state dict");
        foreach (var (key, value) in state)
        {
            if (key is not long index || value is not Dictionary<object, object?> entry) throw Bad($"optimizer state entry {key} is not a parameter's state");
            moments[index] = (Tensor(entry.GetValueOrDefault("exp_avg"), $"state[{index}].exp_avg"), Tensor(entry.GetValueOrDefault("exp_avg_sq"), $"state[{index}].exp_avg_sq"));
            step = entry.GetValueOrDefault("step") switch
            {
                long l => l,
                double d => (long)d,
                TensorRef t => (long)Tensor(t, $"state[{index}].step").ToFloat32()[0],
                _ => throw Bad($"optimizer state[{index}] has no step"),
            };
        }
        if (group.GetValueOrDefault("betas") is not PickleTuple { Items.Length: 2 } betas || betas.Items.Any(b => b is not double))
            throw Bad("optimizer betas are not a pair of numbers");
        int count = group.GetValueOrDefault("params") is List<object?> ps ? ps.Count : throw Bad("optimizer group has no params list");
        return new OptimizerState(step, moments, count, Number("lr"), (double)betas.Items[0]!, (double)betas.Items[1]!, Number("eps"), Number("weight_decay"));
    }

    /// <summary>The selected state_dict of an unpickled checkpoint, each storage read once through <paramref name="readStorage"/>.</summary>
    private static CheckpointContents Build(object? root, CheckpointWeights weights, string path, Func<StorageRef, byte[]> readStorage)
    {
        var (stateDict, selected, args) = Select(root, weights, path);
        var storages = new Dictionary<string, byte[]>();
        var tensors = new Dictionary<string, CheckpointTensor>();
        foreach (var (name, t) in Entries(stateDict, path))
        {
            if (!storages.TryGetValue(t.Storage.Key, out var bytes))
                storages[t.Storage.Key] = bytes = readStorage(t.Storage);
            tensors[name] = Materialize(name, t, bytes, path);
        }
        return new CheckpointContents(tensors, args, selected);
    }

    /// <summary>
    /// Writes a state_dict as torch.save does (zip, protocol-2 pickle of an OrderedDict, one storage per tensor), so that
    /// PyTorch's torch.load reads it. Written to a temporary file first, so a failure leaves no half-written checkpoint.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, CheckpointTensor> stateDict, string archiveName = "archive")
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        WriteObject(path, new PythonOrderedDict(stateDict.Select(kv => KeyValuePair.Create(kv.Key, (object?)kv.Value)).ToList()), archiveName);
    }

    /// <summary>
    /// Writes any nested value as torch.save does (dicts, OrderedDicts, lists, <see cref="PythonTuple"/>,
    /// <see cref="PythonNamespace"/>, numbers, strings, tensors): the official train.py's checkpoint dict, for instance.
    /// Written to a temporary file first, so a failure leaves no half-written checkpoint.
    /// </summary>
    public static void WriteObject(string path, object root, string archiveName = "archive")
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(root);
        var writer = new PickleWriter();
        byte[] pickle = writer.Write(root);
        string temp = path + ".partial";
        using (var stream = File.Create(temp))
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
        {
            WriteEntry(zip, $"{archiveName}/data.pkl", pickle);
            foreach (var (key, tensor) in writer.Storages) WriteEntry(zip, $"{archiveName}/data/{key}", tensor.Data);
            WriteEntry(zip, $"{archiveName}/version", Encoding.ASCII.GetBytes("3\n"));
            WriteEntry(zip, $"{archiveName}/byteorder", Encoding.ASCII.GetBytes("little"));
        }
        File.Move(temp, path, overwrite: true);
    }

    private static (Dictionary<object, object?> StateDict, string? Selected, Dictionary<string, string> Args) Select(object? root, CheckpointWeights weights, string path)
    {
        if (root is not Dictionary<object, object?> dict)
            throw new InvalidDataException($"{path}: the checkpoint holds a {root?.GetType().Name ?? "None"}, not a dict of tensors");
        var args = new Dictionary<string, string>();
        if (dict.TryGetValue("args", out var a) && a is PickleObject ns)
        {
            foreach (var (k, v) in ns.State)
            {
                if (k is string name && v is string or long or double or bool)
                    args["args." + name] = Convert.ToString(v, CultureInfo.InvariantCulture)!;
            }
        }
        bool hasEma = dict.ContainsKey("ema"), hasModel = dict.ContainsKey("model");
        if (!hasEma && !hasModel)
        {
            if (dict.TryGetValue("state_dict", out var sd) && sd is Dictionary<object, object?> inner) return (inner, "state_dict", args);
            return (dict, null, args);
        }
        string pick = weights switch
        {
            CheckpointWeights.Ema when !hasEma => throw new InvalidDataException($"{path}: the training checkpoint has no \"ema\" weights (it has: {string.Join(", ", dict.Keys)})"),
            CheckpointWeights.Model when !hasModel => throw new InvalidDataException($"{path}: the training checkpoint has no \"model\" weights (it has: {string.Join(", ", dict.Keys)})"),
            CheckpointWeights.Model => "model",
            _ => hasEma ? "ema" : "model",
        };
        return dict[pick] is Dictionary<object, object?> chosen
            ? (chosen, pick, args)
            : throw new InvalidDataException($"{path}: \"{pick}\" is not a state_dict");
    }

    private static byte[] ReadStorage(ZipArchive zip, string prefix, StorageRef storage, string path)
    {
        var (entry, expected) = CheckStorage(zip, prefix, storage, path);
        return ReadEntry(entry, path, expected);
    }

    /// <summary>The storage's archive entry and byte count, checked against its declared element count before anything is read.</summary>
    private static (ZipArchiveEntry Entry, long Bytes) CheckStorage(ZipArchive zip, string prefix, StorageRef storage, string path)
    {
        var entry = zip.GetEntry($"{prefix}data/{storage.Key}")
            ?? throw new InvalidDataException($"{path}: storage {storage.Key} is missing from the archive (truncated or corrupt file)");
        int size = CheckpointTensor.ElementSize(storage.DType);
        if (storage.Count < 0 || storage.Count > Array.MaxLength / size)
            throw new InvalidDataException($"{path}: storage {storage.Key} declares {storage.Count} {storage.DType} elements, more than one array can hold");
        long expected = storage.Count * size;
        // The archive's declared size is checked against the storage before anything is allocated, and reading stops there.
        if (entry.Length != expected)
            throw new InvalidDataException($"{path}: storage {storage.Key} has {entry.Length} bytes, {storage.DType} × {storage.Count} needs {expected}");
        return (entry, expected);
    }

    private static CheckpointTensor Materialize(string name, TensorRef t, byte[] storage, string path)
    {
        int size = CheckpointTensor.ElementSize(t.Storage.DType);
        long count = CheckView(name, t, path);
        if (IsContiguous(t.Size, t.Stride) && t.Offset == 0 && count * size == storage.LongLength)
            return new CheckpointTensor(t.Storage.DType, t.Size, storage);              // the whole storage: no copy
        var result = new byte[count * size];
        if (IsContiguous(t.Size, t.Stride))
        {
            Buffer.BlockCopy(storage, checked((int)(t.Offset * size)), result, 0, result.Length);
        }
        else
        {
            var index = new long[t.Size.Length];
            for (long i = 0; i < count; i++)
            {
                long source = t.Offset;
                for (int d = 0; d < index.Length; d++) source += index[d] * t.Stride[d];
                Buffer.BlockCopy(storage, checked((int)(source * size)), result, checked((int)(i * size)), size);
                for (int d = index.Length - 1; d >= 0 && ++index[d] == t.Size[d]; d--) index[d] = 0;
            }
        }
        return new CheckpointTensor(t.Storage.DType, t.Size, result);
    }

    /// <summary>The view's element count, checked to lie inside its storage (shape, strides and offset).</summary>
    private static long CheckView(string name, TensorRef t, string path)
    {
        int size = CheckpointTensor.ElementSize(t.Storage.DType);
        long count = 1, last = t.Offset;
        if (t.Stride.Length != t.Size.Length || t.Size.Any(x => x < 0) || t.Stride.Any(x => x < 0))
            throw new InvalidDataException($"{path}: tensor '{name}' has shape {CheckpointTensor.FormatShape(t.Size)} and strides ({string.Join(", ", t.Stride)}): negative or mismatched");
        try
        {
            for (int d = 0; d < t.Size.Length; d++)
            {
                count = checked(count * t.Size[d]);
                if (t.Size[d] > 0) last = checked(last + (t.Size[d] - 1) * t.Stride[d]);
            }
            if (checked(count * size) > Array.MaxLength) throw new OverflowException();
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' of shape {CheckpointTensor.FormatShape(t.Size)} is larger than its storage could be");
        }
        if (count > 0 && (t.Offset < 0 || last >= t.Storage.Count))
            throw new InvalidDataException($"{path}: tensor '{name}' of shape {CheckpointTensor.FormatShape(t.Size)} reaches past its storage ({t.Storage.Count} elements)");
        return count;
    }

    private static bool IsContiguous(long[] size, long[] stride)
    {
        long expected = 1;
        for (int d = size.Length - 1; d >= 0; d--)
        {
            if (size[d] != 1 && stride[d] != expected) return false;
            expected *= size[d];
        }
        return true;
    }

    /// <summary>Largest pickle read (the state_dict's structure, not its tensors).</summary>
    private const long MaxPickleBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Reads an entry of exactly its declared size (at most <paramref name="limit"/>), refusing one that decompresses to
    /// more than it declares (a zip bomb, or a corrupt archive).
    /// </summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, string path, long limit = MaxPickleBytes)
    {
        if (entry.Length > limit || entry.Length > Array.MaxLength)
            throw new InvalidDataException($"{path}: '{entry.FullName}' declares {entry.Length} bytes, more than the {limit} it may hold");
        try
        {
            using var s = entry.Open();
            var buffer = new byte[entry.Length];
            s.ReadExactly(buffer);
            Span<byte> probe = stackalloc byte[1];
            // The reader stops at the declared size; a compressed entry whose data goes on (a zip bomb) then fails its CRC,
            // which covers all the data. Stored entries (what torch.save writes) cannot decompress past their size.
            if (s.Read(probe) != 0 || (entry.CompressedLength != entry.Length && ZipCrc32.Of(buffer) != entry.Crc32))
                throw new InvalidDataException($"{path}: '{entry.FullName}' decompresses past its declared {entry.Length} bytes or fails its CRC (a zip bomb or a corrupt archive)");
            return buffer;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{path}: cannot read '{entry.FullName}' (truncated or corrupt file): {e.Message}", e);
        }
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = entry.Open();
        s.Write(bytes);
    }
}
