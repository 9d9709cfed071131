using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>Reads the label and seed of a row whatever numeric type their columns have, checking the label's range.</summary>
internal sealed class ConditioningColumns
{
    private readonly Func<long> label;
    private readonly Func<long> seed;
    private readonly int numClasses;
    private readonly string labelName;

    public ConditioningColumns(DataViewRow row, DiffusionGenerateOptions options, int numClasses)
    {
        this.numClasses = numClasses;
        labelName = options.LabelColumnName;
        label = Reader(row, Find(row.Schema, options.LabelColumnName), isLabel: true);
        seed = Reader(row, Find(row.Schema, options.SeedColumnName), isLabel: false);
    }

    /// <summary>The columns a generator needs from its input.</summary>
    public static DataViewSchema.Column[] Required(DataViewSchema schema, DiffusionGenerateOptions options) =>
        [Find(schema, options.LabelColumnName), Find(schema, options.SeedColumnName)];

    /// <summary>Checks that the schema has usable label and seed columns.</summary>
    public static void Check(DataViewSchema schema, DiffusionGenerateOptions options)
    {
        var l = Find(schema, options.LabelColumnName);
        if (!IsLabelType(l.Type))
            throw new ArgumentException($"label column '{l.Name}' has type {l.Type}; expected Int32, Int64, UInt32, Single or a key type");
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

    private static bool IsLabelType(DataViewType t) => t is KeyDataViewType || t == NumberDataViewType.Int32
        || t == NumberDataViewType.Int64 || t == NumberDataViewType.UInt32 || t == NumberDataViewType.Single;

    private static bool IsSeedType(DataViewType t) => t == NumberDataViewType.Int32 || t == NumberDataViewType.Int64
        || t == NumberDataViewType.UInt32 || t == NumberDataViewType.UInt64;

    private static Func<long> Reader(DataViewRow row, DataViewSchema.Column column, bool isLabel)
    {
        var t = column.Type;
        if (t is KeyDataViewType key)
        {
            // Keys count from 1 (0 is missing): class k is key k + 1.
            if (key.RawType == typeof(uint)) return Key<uint>(row, column, v => v);
            if (key.RawType == typeof(ulong)) return Key<ulong>(row, column, v => (long)v);
            if (key.RawType == typeof(ushort)) return Key<ushort>(row, column, v => v);
            if (key.RawType == typeof(byte)) return Key<byte>(row, column, v => v);
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
