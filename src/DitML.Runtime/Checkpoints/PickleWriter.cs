using System.Buffers.Binary;
using System.Text;

namespace DitML.Checkpoints;

/// <summary>Writes the protocol-2 pickle torch.load expects for a state_dict: an OrderedDict of rebuilt tensors.</summary>
internal static class PickleWriter
{
    public static byte[] StateDict(IReadOnlyList<(string Name, string StorageKey, CheckpointTensor Tensor)> entries)
    {
        using var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        w.Write((byte)0x80); w.Write((byte)2);                          // PROTO 2
        Global(w, "collections", "OrderedDict");
        w.Write((byte)')'); w.Write((byte)'R');                        // OrderedDict()
        w.Write((byte)'(');                                             // MARK
        foreach (var (name, key, t) in entries)
        {
            Unicode(w, name);
            Global(w, "torch._utils", "_rebuild_tensor_v2");
            w.Write((byte)'(');                                         // args
            w.Write((byte)'(');                                         // persistent id tuple
            Unicode(w, "storage");
            Global(w, "torch", StorageName(t.DType));
            Unicode(w, key);
            Unicode(w, "cpu");
            Int(w, t.ElementCount);
            w.Write((byte)'t');
            w.Write((byte)'Q');                                         // BINPERSID
            Int(w, 0);                                                  // storage offset
            Tuple(w, t.Shape);
            Tuple(w, ContiguousStrides(t.Shape));
            w.Write((byte)0x89);                                        // requires_grad False
            Global(w, "collections", "OrderedDict");
            w.Write((byte)')'); w.Write((byte)'R');                    // backward hooks
            w.Write((byte)'t'); w.Write((byte)'R');                    // _rebuild_tensor_v2(*args)
        }
        w.Write((byte)'u');                                             // SETITEMS
        w.Write((byte)'.');                                             // STOP
        w.Flush();
        return ms.ToArray();
    }

    internal static string StorageName(TensorDType dtype) => dtype switch
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

    internal static long[] ContiguousStrides(long[] shape)
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

    private static void Global(BinaryWriter w, string module, string name)
    {
        w.Write((byte)'c');
        w.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void Unicode(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((byte)'X');
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    private static void Int(BinaryWriter w, long v)
    {
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            w.Write((byte)'J');
            w.Write((int)v);
            return;
        }
        w.Write((byte)0x8a); w.Write((byte)8);                          // LONG1, 8 bytes
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        w.Write(b);
    }

    private static void Tuple(BinaryWriter w, long[] values)
    {
        w.Write((byte)'(');
        foreach (var v in values) Int(w, v);
        w.Write((byte)'t');
    }
}
