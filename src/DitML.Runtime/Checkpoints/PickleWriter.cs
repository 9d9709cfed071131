using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace DitML.Checkpoints;

/// <summary>
/// Writes a protocol-2 pickle of nested Python values as torch.save does: dicts (string or integer keys), OrderedDicts,
/// lists, tuples, argparse.Namespace, str, int, float, bool, None, and tensors as persistent storages (collected in
/// <see cref="Storages"/>, one per tensor, for the archive's data/ entries).
/// </summary>
internal sealed class PickleWriter
{
    private readonly BinaryWriter w;
    private readonly MemoryStream ms = new();

    public PickleWriter() => w = new BinaryWriter(ms);

    /// <summary>The storages written so far, by key ("0", "1", …), in order.</summary>
    public List<(string Key, CheckpointTensor Tensor)> Storages { get; } = [];

    public byte[] Write(object? root)
    {
        w.Write((byte)0x80); w.Write((byte)2);                          // PROTO 2
        Value(root);
        w.Write((byte)'.');                                             // STOP
        w.Flush();
        return ms.ToArray();
    }

    private void Value(object? value)
    {
        switch (value)
        {
            case null: w.Write((byte)'N'); break;
            case bool b: w.Write(b ? (byte)0x88 : (byte)0x89); break;
            case int i: Int(i); break;
            case long l: Int(l); break;
            case float f: Float(f); break;
            case double d: Float(d); break;
            case string s: Unicode(s); break;
            case CheckpointTensor t: Tensor(t); break;
            case PythonTuple t:
                w.Write((byte)'(');
                foreach (var item in t.Items) Value(item);
                w.Write((byte)'t');
                break;
            case PythonOrderedDict od:
                Global("collections", "OrderedDict");
                w.Write((byte)')'); w.Write((byte)'R');                // OrderedDict()
                Items(od.Items.Select(kv => ((object)kv.Key, kv.Value)));
                break;
            case PythonNamespace ns:
                Global("argparse", "Namespace");
                w.Write((byte)')'); w.Write((byte)0x81);               // cls.__new__(cls)  (NEWOBJ)
                w.Write((byte)'}');
                Items(ns.Attributes.Select(kv => ((object)kv.Key, kv.Value)));
                w.Write((byte)'b');                                     // BUILD: __dict__.update
                break;
            case IEnumerable<KeyValuePair<string, object?>> dict:
                w.Write((byte)'}');
                Items(dict.Select(kv => ((object)kv.Key, kv.Value)));
                break;
            case IEnumerable<KeyValuePair<long, object?>> byIndex:
                w.Write((byte)'}');
                Items(byIndex.Select(kv => ((object)kv.Key, kv.Value)));
                break;
            case IEnumerable<object?> list:
                w.Write((byte)']');
                w.Write((byte)'(');
                foreach (var item in list) Value(item);
                w.Write((byte)'e');                                     // APPENDS
                break;
            default: throw new NotSupportedException($"cannot pickle a {value.GetType().Name}");
        }
    }

    private void Items(IEnumerable<(object Key, object? Value)> items)
    {
        w.Write((byte)'(');                                             // MARK
        foreach (var (key, value) in items)
        {
            Value(key);
            Value(value);
        }
        w.Write((byte)'u');                                             // SETITEMS
    }

    private void Tensor(CheckpointTensor t)
    {
        string key = Storages.Count.ToString(CultureInfo.InvariantCulture);
        Storages.Add((key, t));
        Global("torch._utils", "_rebuild_tensor_v2");
        w.Write((byte)'(');
        w.Write((byte)'(');
        Unicode("storage");
        Global("torch", StorageName(t.DType));
        Unicode(key);
        Unicode("cpu");
        Int(t.ElementCount);
        w.Write((byte)'t');
        w.Write((byte)'Q');                                             // BINPERSID
        Int(0);
        Value(new PythonTuple(t.Shape.Select(s => (object?)s).ToArray()));
        Value(new PythonTuple(ContiguousStrides(t.Shape).Select(s => (object?)s).ToArray()));
        w.Write((byte)0x89);                                            // requires_grad False
        Global("collections", "OrderedDict");
        w.Write((byte)')'); w.Write((byte)'R');                        // backward hooks
        w.Write((byte)'t'); w.Write((byte)'R');
    }

    private void Global(string module, string name)
    {
        w.Write((byte)'c');
        w.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private void Unicode(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((byte)'X');
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    private void Int(long v)
    {
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            w.Write((byte)'J');
            w.Write((int)v);
            return;
        }
        w.Write((byte)0x8a); w.Write((byte)8);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        w.Write(b);
    }

    private void Float(double v)
    {
        w.Write((byte)'G');                                             // BINFLOAT: big-endian IEEE 754
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, v);
        w.Write(b);
    }

    private static string StorageName(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => "FloatStorage",
        TensorDType.Float16 => "HalfStorage",
        TensorDType.BFloat16 => "BFloat16Storage",
        TensorDType.Float64 => "DoubleStorage",
        TensorDType.Int64 => "LongStorage",
        TensorDType.Int32 => "IntStorage",
        TensorDType.Int16 => "ShortStorage",
        TensorDType.Int8 => "CharStorage",
        TensorDType.UInt8 => "ByteStorage",
        TensorDType.Bool => "BoolStorage",
        _ => throw new NotSupportedException(dtype.ToString()),
    };

    private static long[] ContiguousStrides(long[] shape)
    {
        var stride = new long[shape.Length];
        long s = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            stride[d] = s;
            s *= shape[d];
        }
        return stride;
    }
}
