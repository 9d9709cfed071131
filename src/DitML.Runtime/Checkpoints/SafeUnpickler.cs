using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace DitML.Checkpoints;

/// <summary>
/// A pickle virtual machine that understands what torch.save writes for state_dicts and training dicts (protocols 0–5
/// opcodes for plain data, persistent ids for storages) and resolves only an allowlist of globals. It never imports or
/// calls anything else: a global outside the list is refused with <see cref="UnsafePickleException"/> before any object
/// is built from it.
/// </summary>
internal sealed class SafeUnpickler
{
    private static readonly Dictionary<string, TensorDType> StorageTypes = new()
    {
        ["FloatStorage"] = TensorDType.Float32, ["HalfStorage"] = TensorDType.Float16, ["BFloat16Storage"] = TensorDType.BFloat16,
        ["DoubleStorage"] = TensorDType.Float64, ["LongStorage"] = TensorDType.Int64, ["IntStorage"] = TensorDType.Int32,
        ["ShortStorage"] = TensorDType.Int16, ["CharStorage"] = TensorDType.Int8, ["ByteStorage"] = TensorDType.UInt8,
        ["BoolStorage"] = TensorDType.Bool,
    };

    private static readonly HashSet<string> AllowedGlobals =
    [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "argparse.Namespace", "_codecs.encode", "builtins.set", "builtins.frozenset",
        .. StorageTypes.Keys.Select(k => "torch." + k),
    ];

    private readonly byte[] data;
    private readonly string source;
    private readonly List<object?> stack = [];
    private readonly Stack<int> marks = new();
    private readonly Dictionary<long, object?> memo = [];
    private int pos;

    public SafeUnpickler(byte[] data, string source, int start = 0)
    {
        this.data = data;
        this.source = source;
        pos = start;
    }

    /// <summary>Where the next byte would be read: after <see cref="Load"/>, the first byte after the pickle's STOP.</summary>
    public int Position => pos;

    /// <summary>Every storage the pickle referenced, by key.</summary>
    public Dictionary<string, StorageRef> Storages { get; } = [];

    /// <summary>Runs the pickle to its STOP and returns the top object.</summary>
    public object? Load()
    {
        try
        {
            return Run();
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidCastException or OverflowException)
        {
            throw new InvalidDataException($"{source}: corrupt pickle at byte {pos} ({e.Message})", e);
        }
    }

    private object? Run()
    {
        while (true)
        {
            if (pos >= data.Length) throw new InvalidDataException($"{source}: pickle ends without STOP (truncated?)");
            byte op = data[pos++];
            switch (op)
            {
                case 0x80: pos++; break;                                     // PROTO
                case 0x95: pos += 8; break;                                  // FRAME
                case (byte)'.': return Pop();                                 // STOP
                case (byte)'(': marks.Push(stack.Count); break;               // MARK
                case (byte)'}': stack.Add(new Dictionary<object, object?>()); break;
                case (byte)']': stack.Add(new List<object?>()); break;
                case (byte)')': stack.Add(new PickleTuple([])); break;
                case 0x8f: stack.Add(new HashSet<object>()); break;           // EMPTY_SET
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;                            // NEWTRUE
                case 0x89: stack.Add(false); break;                           // NEWFALSE
                case (byte)'K': stack.Add((long)data[pos++]); break;          // BININT1
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                case 0x8a: stack.Add(ReadLong(data[pos++])); break;           // LONG1
                case 0x8b: stack.Add(ReadLong(BinaryPrimitives.ReadInt32LittleEndian(Take(4)))); break; // LONG4
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'X': stack.Add(Utf8(BinaryPrimitives.ReadInt32LittleEndian(Take(4)))); break; // BINUNICODE
                case 0x8c: stack.Add(Utf8(data[pos++])); break;               // SHORT_BINUNICODE
                case 0x8d: stack.Add(Utf8(checked((int)BinaryPrimitives.ReadInt64LittleEndian(Take(8))))); break;
                case (byte)'U': stack.Add(Latin1(data[pos++])); break;        // SHORT_BINSTRING
                case (byte)'T': stack.Add(Latin1(BinaryPrimitives.ReadInt32LittleEndian(Take(4)))); break;
                case (byte)'C': stack.Add(new PickleBytes(Take(data[pos++]).ToArray())); break; // SHORT_BINBYTES
                case (byte)'B': stack.Add(new PickleBytes(Take(BinaryPrimitives.ReadInt32LittleEndian(Take(4))).ToArray())); break;
                case (byte)'I': stack.Add(ParseIntLine(ReadLine())); break;   // INT (protocol 0)
                case (byte)'L': stack.Add(ParseIntLine(ReadLine().TrimEnd('L'))); break;
                case (byte)'F': stack.Add(double.Parse(ReadLine(), System.Globalization.CultureInfo.InvariantCulture)); break;
                case (byte)'t': stack.Add(new PickleTuple(PopMark())); break; // TUPLE
                case 0x85: stack.Add(new PickleTuple([Pop()])); break;        // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new PickleTuple([a, b])); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new PickleTuple([a, b, c])); break; }
                case (byte)'l': stack.Add(PopMark().ToList()); break;         // LIST
                case (byte)'d': stack.Add(ToDict(PopMark())); break;          // DICT
                case (byte)'a': { var v = Pop(); As<List<object?>>(Peek(), "APPEND").Add(v); break; }
                case (byte)'e': { var items = PopMark(); As<List<object?>>(Peek(), "APPENDS").AddRange(items); break; }
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItem(Peek(), k, v); break; }
                case (byte)'u': { var items = PopMark(); for (int i = 0; i < items.Length; i += 2) SetItem(Peek(), items[i], items[i + 1]); break; }
                case 0x90: { var items = PopMark(); foreach (var i in items) As<HashSet<object>>(Peek(), "ADDITEMS").Add(i!); break; }
                case (byte)'q': memo[data[pos++]] = Peek(); break;             // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(); break;
                case 0x94: memo[memo.Count] = Peek(); break;                  // MEMOIZE
                case (byte)'p': memo[long.Parse(ReadLine(), System.Globalization.CultureInfo.InvariantCulture)] = Peek(); break;
                case (byte)'h': stack.Add(Memo(data[pos++])); break;          // BINGET
                case (byte)'j': stack.Add(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;
                case (byte)'g': stack.Add(Memo(long.Parse(ReadLine(), System.Globalization.CultureInfo.InvariantCulture))); break;
                case (byte)'0': Pop(); break;                                 // POP
                case (byte)'1': PopMark(); break;                             // POP_MARK
                case (byte)'2': stack.Add(Peek()); break;                     // DUP
                case (byte)'c': stack.Add(Global(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93: { var name = Pop() as string; var module = Pop() as string; stack.Add(Global(module ?? "", name ?? "")); break; }
                case (byte)'Q': stack.Add(PersistentLoad(Pop())); break;      // BINPERSID
                case (byte)'R': { var args = As<PickleTuple>(Pop(), "REDUCE arguments"); stack.Add(Call(Pop(), args.Items)); break; }
                case 0x81: { var args = As<PickleTuple>(Pop(), "NEWOBJ arguments"); stack.Add(Call(Pop(), args.Items)); break; }
                case (byte)'b': { var state = Pop(); Build(Peek(), state); break; } // BUILD
                default:
                    throw new InvalidDataException($"{source}: pickle opcode 0x{op:x2} at byte {pos - 1} is not supported in a checkpoint");
            }
        }
    }

    private object Global(string module, string name)
    {
        string full = $"{module}.{name}";
        if (!AllowedGlobals.Contains(full))
        {
            throw new UnsafePickleException(
                $"{source}: refusing to load: the pickle references '{full}', which a state_dict never needs. " +
                "Pickles can run code, so DitML resolves only tensors, storages, OrderedDict and argparse.Namespace.");
        }
        return new PickleGlobal(module, name);
    }

    private object? Call(object? callable, object?[] args)
    {
        if (callable is not PickleGlobal g) throw new InvalidDataException($"{source}: pickle calls a non-callable value");
        switch (g.ToString())
        {
            case "collections.OrderedDict":
                return new Dictionary<object, object?>();
            case "torch._utils._rebuild_tensor_v2":
                return new TensorRef(As<StorageRef>(args[0], "tensor storage"), ToLong(args[1]), Longs(args[2]), Longs(args[3]));
            case "torch._utils._rebuild_parameter":
                return args[0];
            case "argparse.Namespace":
                return new PickleObject(g);
            case "_codecs.encode":
                return new PickleBytes(Encoding.Latin1.GetBytes(As<string>(args[0], "_codecs.encode argument")));
            case "builtins.set":
            case "builtins.frozenset":
                return args.Length == 0 ? new HashSet<object>() : new HashSet<object>(As<List<object?>>(args[0], "set items")!.Select(x => x!));
            default:
                throw new UnsafePickleException($"{source}: refusing to call '{g}'");
        }
    }

    private void Build(object? target, object? state)
    {
        switch (target)
        {
            case PickleObject o when state is Dictionary<object, object?> d:
                foreach (var (k, v) in d) o.State[k] = v;
                break;
            case Dictionary<object, object?>:
            case TensorRef:
                break; // OrderedDict/tensor BUILD carries only attributes (e.g. _metadata) DitML does not need
            default:
                throw new InvalidDataException($"{source}: pickle BUILD on an unsupported object");
        }
    }

    private StorageRef PersistentLoad(object? pid)
    {
        var t = As<PickleTuple>(pid, "persistent id").Items;
        if (t.Length < 5 || t[0] as string != "storage")
            throw new InvalidDataException($"{source}: unsupported persistent id in pickle");
        // The legacy format adds a sixth item, a view of another storage; only PyTorch < 0.4 wrote views.
        if (t.Length > 5 && t[5] is not null)
            throw new InvalidDataException($"{source}: storage views (files written by PyTorch before 0.4) are not supported: re-save the file with a recent torch.save");
        var type = As<PickleGlobal>(t[1], "storage type");
        if (!StorageTypes.TryGetValue(type.Name, out var dtype))
            throw new InvalidDataException($"{source}: unsupported storage type {type}");
        var storage = new StorageRef(dtype, As<string>(t[2], "storage key"), ToLong(t[4]));
        Storages[storage.Key] = storage;
        return storage;
    }

    private static void SetItem(object? target, object? key, object? value)
    {
        if (target is not Dictionary<object, object?> d) throw new InvalidDataException("pickle SETITEM on a non-dict");
        d[key ?? "None"] = value;
    }

    private static Dictionary<object, object?> ToDict(object?[] items)
    {
        var d = new Dictionary<object, object?>();
        for (int i = 0; i < items.Length; i += 2) d[items[i] ?? "None"] = items[i + 1];
        return d;
    }

    private T As<T>(object? value, string what) =>
        value is T t ? t : throw new InvalidDataException($"{source}: pickle has a {value?.GetType().Name ?? "None"} where a {what} belongs");

    private static long ToLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new InvalidDataException($"expected an integer in the pickle, got {value?.GetType().Name ?? "None"}"),
    };

    private long[] Longs(object? tuple) => As<PickleTuple>(tuple, "size/stride tuple").Items.Select(ToLong).ToArray();

    private object ReadLong(int n)
    {
        var bytes = Take(n);
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : (object)big;
    }

    private object? Memo(long key) =>
        memo.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{source}: pickle refers to memo {key}, never stored");

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || pos + n > data.Length) throw new InvalidDataException($"{source}: pickle truncated at byte {pos}");
        var span = data.AsSpan(pos, n);
        pos += n;
        return span;
    }

    private string Utf8(int n) => Encoding.UTF8.GetString(Take(n));

    private string Latin1(int n) => Encoding.Latin1.GetString(Take(n));

    private string ReadLine()
    {
        int end = Array.IndexOf(data, (byte)'\n', pos);
        if (end < 0) throw new InvalidDataException($"{source}: pickle truncated at byte {pos}");
        string s = Encoding.ASCII.GetString(data, pos, end - pos);
        pos = end + 1;
        return s;
    }

    private static object ParseIntLine(string s) => s switch
    {
        "00" => false,
        "01" => true,
        _ => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
    };

    private object? Pop()
    {
        if (stack.Count == 0) throw new InvalidDataException($"{source}: pickle stack underflow at byte {pos}");
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    private object? Peek() => stack.Count > 0 ? stack[^1] : throw new InvalidDataException($"{source}: pickle stack underflow at byte {pos}");

    private object?[] PopMark()
    {
        if (marks.Count == 0) throw new InvalidDataException($"{source}: pickle has no MARK at byte {pos}");
        int m = marks.Pop();
        var items = stack.GetRange(m, stack.Count - m).ToArray();
        stack.RemoveRange(m, stack.Count - m);
        return items;
    }
}
