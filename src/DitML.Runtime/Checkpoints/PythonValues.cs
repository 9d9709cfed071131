namespace DitML.Checkpoints;

/// <summary>A Python tuple, for <see cref="PyTorchCheckpoint.WriteObject"/>.</summary>
/// <param name="Items">The items.</param>
public sealed record PythonTuple(IReadOnlyList<object?> Items);

/// <summary>An <c>argparse.Namespace</c> (what the official train.py stores as <c>args</c>), for <see cref="PyTorchCheckpoint.WriteObject"/>.</summary>
/// <param name="Attributes">Its attributes, in order: strings, numbers, booleans or null.</param>
public sealed record PythonNamespace(IReadOnlyList<KeyValuePair<string, object?>> Attributes);

/// <summary>A <c>collections.OrderedDict</c> with string keys (what a module's state_dict is), for <see cref="PyTorchCheckpoint.WriteObject"/>.</summary>
/// <param name="Items">The entries, in order.</param>
public sealed record PythonOrderedDict(IReadOnlyList<KeyValuePair<string, object?>> Items);
