using DitML.Generation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>
/// Reads the label and seed of a row whatever numeric type their columns have, checking the label's range. Text labels
/// are class names (the model's <see cref="IImageGenerator.ClassNames"/>); key labels map by their key values — class
/// names when the values are text, class ids when numeric — never by key order; keys without values count from 1.
/// </summary>
internal sealed class ConditioningColumns
{
    private readonly Func<long> label;
    private readonly Func<long> seed;
    private readonly int numClasses;
    private readonly string labelName;

    public ConditioningColumns(DataViewRow row, DiffusionGenerateOptions options, int numClasses, IReadOnlyList<string>? classNames = null)
    {
        this.numClasses = numClasses;
        labelName = options.LabelColumnName;
        label = Reader(row, Find(row.Schema, options.LabelColumnName), isLabel: true, classNames);
        seed = Reader(row, Find(row.Schema, options.SeedColumnName), isLabel: false, classNames);
    }

    /// <summary>
    /// Class id of each key (index k − 1) of a key column with key values: the value as a class name or class id.
    /// Null when the column has no key values (keys then count from 1).
    /// </summary>
    /// <exception cref="ArgumentException">A key value that names no class of the model.</exception>
    public static long[]? KeyClasses(DataViewSchema.Column column, IReadOnlyList<string>? classNames)
    {
        var values = column.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (values is null || values.Value.Type is not VectorDataViewType { ItemType: var item }) return null;
        var owner = $"the model (key values of label column '{column.Name}')";
        if (item is TextDataViewType)
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            column.Annotations.GetValue("KeyValues", ref names);
            return names.DenseValues().Select(n => ClassNaming.Find(classNames, n.ToString(), owner)).ToArray();
        }
        if (item is NumberDataViewType)
        {
            return ReadNumbers(column, item).Select(v => v == Math.Round(v) && !double.IsNaN(v) ? (long)v
                : throw new ArgumentException($"label column '{column.Name}' has key value {v}, not a whole class id")).ToArray();
        }
        return null;
    }

    private static IEnumerable<double> ReadNumbers(DataViewSchema.Column column, DataViewType item)
    {
        IEnumerable<double> Read<T>(Func<T, double> f)
        {
            VBuffer<T> v = default;
            column.Annotations.GetValue("KeyValues", ref v);
            return v.DenseValues().Select(f).ToArray();
        }
        if (item == NumberDataViewType.Int32) return Read<int>(x => x);
        if (item == NumberDataViewType.Int64) return Read<long>(x => x);
        if (item == NumberDataViewType.UInt32) return Read<uint>(x => x);
        if (item == NumberDataViewType.UInt64) return Read<ulong>(x => x);
        if (item == NumberDataViewType.Single) return Read<float>(x => x);
        if (item == NumberDataViewType.Double) return Read<double>(x => x);
        throw new ArgumentException($"label column '{column.Name}' has key values of type {item}; expected text or whole numbers");
    }

    /// <summary>The columns a generator needs from its input.</summary>
    public static DataViewSchema.Column[] Required(DataViewSchema schema, DiffusionGenerateOptions options) =>
        [Find(schema, options.LabelColumnName), Find(schema, options.SeedColumnName)];

    /// <summary>Checks that the schema has usable label and seed columns.</summary>
    public static void Check(DataViewSchema schema, DiffusionGenerateOptions options)
    {
        var l = Find(schema, options.LabelColumnName);
        if (!IsLabelType(l.Type))
            throw new ArgumentException($"label column '{l.Name}' has type {l.Type}; expected Int32, Int64, UInt32, Single, text (class names) or a key type");
        var s = Find(schema, options.SeedColumnName);
        if (!IsSeedType(s.Type))
            throw new ArgumentException($"seed column '{s.Name}' has type {s.Type}; expected Int32, Int64, UInt32 or UInt64");
    }

    public (long Label, long Seed) Read()
    {
        long y = label();
        if (y < 0 || y >= numClasses)
            throw new ArgumentOutOfRangeException(labelName, y, $"class {y} is out of range: the model knows classes 0..{numClasses - 1}");
        return (y, seed());
    }

    private static DataViewSchema.Column Find(DataViewSchema schema, string name) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentException(
            $"input has no column '{name}' (columns: {string.Join(", ", schema.Select(c => c.Name))})");

    private static bool IsLabelType(DataViewType t) => t is KeyDataViewType or TextDataViewType || t == NumberDataViewType.Int32
        || t == NumberDataViewType.Int64 || t == NumberDataViewType.UInt32 || t == NumberDataViewType.Single;

    private static bool IsSeedType(DataViewType t) => t == NumberDataViewType.Int32 || t == NumberDataViewType.Int64
        || t == NumberDataViewType.UInt32 || t == NumberDataViewType.UInt64;

    private static Func<long> Reader(DataViewRow row, DataViewSchema.Column column, bool isLabel, IReadOnlyList<string>? classNames)
    {
        var t = column.Type;
        if (isLabel && t is TextDataViewType)
        {
            var text = row.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> value = default;
            var ids = new Dictionary<string, long>(StringComparer.Ordinal);
            return () =>
            {
                text(ref value);
                string name = value.ToString().Trim();
                if (!ids.TryGetValue(name, out long id)) ids[name] = id = ClassNaming.Find(classNames, name, $"the model (label column '{column.Name}')");
                return id;
            };
        }
        if (t is KeyDataViewType key)
        {
            // Keys count from 1 (0 is missing): key k is index k − 1, which is the class itself only without key values.
            var index = KeyIndex(row, column, key);
            if (isLabel && KeyClasses(column, classNames) is { } classes)
                return () =>
                {
                    long k = index();
                    return k < classes.Length ? classes[k] : throw new ArgumentException($"label column '{column.Name}' has key {k + 1} past its {classes.Length} values");
                };
            return index;
        }
        if (t == NumberDataViewType.Int32) return Get<int>(row, column, v => v);
        if (t == NumberDataViewType.Int64) return Get<long>(row, column, v => v);
        if (t == NumberDataViewType.UInt32) return Get<uint>(row, column, v => v);
        if (t == NumberDataViewType.UInt64) return Get<ulong>(row, column, v => unchecked((long)v));
        if (isLabel && t == NumberDataViewType.Single)
        {
            return Get<float>(row, column, v => v == MathF.Round(v) && !float.IsNaN(v)
                ? (long)v
                : throw new ArgumentException($"label column '{column.Name}' holds {v}, not a whole class number"));
        }
        throw new ArgumentException($"column '{column.Name}' has unsupported type {t}");
    }

    private static Func<long> KeyIndex(DataViewRow row, DataViewSchema.Column column, KeyDataViewType key)
    {
        if (key.RawType == typeof(uint)) return Key<uint>(row, column, v => v);
        if (key.RawType == typeof(ulong)) return Key<ulong>(row, column, v => (long)v);
        if (key.RawType == typeof(ushort)) return Key<ushort>(row, column, v => v);
        if (key.RawType == typeof(byte)) return Key<byte>(row, column, v => v);
        throw new ArgumentException($"column '{column.Name}' has unsupported key type {key}");
    }

    private static Func<long> Get<T>(DataViewRow row, DataViewSchema.Column column, Func<T, long> convert)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return convert(value);
        };
    }

    private static Func<long> Key<T>(DataViewRow row, DataViewSchema.Column column, Func<T, long> convert)
    {
        var getter = Get(row, column, convert);
        return () =>
        {
            long k = getter();
            return k == 0 ? throw new ArgumentException($"label column '{column.Name}' has a missing key") : k - 1;
        };
    }
}
