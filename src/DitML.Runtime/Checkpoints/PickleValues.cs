namespace DitML.Checkpoints;

/// <summary>A Python global the safe unpickler allows (module and name), e.g. collections.OrderedDict.</summary>
/// <param name="Module">Module name.</param>
/// <param name="Name">Attribute name.</param>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>A Python tuple (immutable sequence).</summary>
internal sealed class PickleTuple(object?[] items)
{
    public object?[] Items { get; } = items;
}

/// <summary>An instance of an allowed class (argparse.Namespace), with the state BUILD gave it.</summary>
internal sealed class PickleObject(PickleGlobal type)
{
    public PickleGlobal Type { get; } = type;

    public Dictionary<object, object?> State { get; } = [];
}

/// <summary>A tensor storage named by a persistent id: dtype, key of its zip entry, element count.</summary>
internal sealed record StorageRef(TensorDType DType, string Key, long Count);

/// <summary>A tensor view of a storage as torch._utils._rebuild_tensor_v2 describes it.</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

/// <summary>Python bytes.</summary>
internal sealed class PickleBytes(byte[] value)
{
    public byte[] Value { get; } = value;
}
