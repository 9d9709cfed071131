using DitML.Metrics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Metrics;

/// <summary>Reads the feature, probability and label columns an evaluation needs, checking their types.</summary>
internal static class ColumnReader
{

    /// <summary>Features (N×D), probabilities (N×K) when present, requested labels when present.</summary>
    public static ImageFeatures Read(IDataView data, GenerationEvaluationOptions options)
    {
        var schema = data.Schema;
        var features = VectorColumn(schema, options.FeaturesColumnName, required: true)!.Value;
        var probabilities = options.ProbabilitiesColumnName is { } p ? VectorColumn(schema, p, required: false) : null;
        DataViewSchema.Column? label = options.LabelColumnName is { } l ? schema.GetColumnOrNull(l) : null;
        var readLabel = label is { } lc ? LabelReader(lc) : null;

        var active = new List<DataViewSchema.Column> { features };
        if (probabilities is { } pc) active.Add(pc);
        if (label is { } lcol) active.Add(lcol);
        var featureRows = new List<float>();
        var probabilityRows = probabilities is null ? null : new List<float>();
        var labels = label is null ? null : new List<long>();
        int dimension = -1, classes = -1, count = 0;
        using var cursor = data.GetRowCursor(active);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var getProbabilities = probabilities is { } pcol ? cursor.GetGetter<VBuffer<float>>(pcol) : null;
        var getLabel = label is { } lg ? readLabel!(cursor) : null;
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getFeatures(ref buffer);
            dimension = CheckWidth(buffer, dimension, features.Name, count);
            foreach (float v in buffer.DenseValues()) featureRows.Add(v);
            if (getProbabilities is not null)
            {
                getProbabilities(ref buffer);
                classes = CheckWidth(buffer, classes, probabilities!.Value.Name, count);
                foreach (float v in buffer.DenseValues()) probabilityRows!.Add(v);
            }
            if (getLabel is not null) labels!.Add(getLabel());
            count++;
        }
        if (count == 0) throw new ArgumentException("the data has no rows to evaluate");
        return new ImageFeatures([.. featureRows], dimension, probabilityRows?.ToArray(), Math.Max(classes, 0), labels?.ToArray());
    }

    private static int CheckWidth(VBuffer<float> buffer, int expected, string column, int row)
    {
        if (expected >= 0 && buffer.Length != expected)
            throw new ArgumentException($"column '{column}' has {buffer.Length} values in row {row} but {expected} before");
        return buffer.Length;
    }

    private static DataViewSchema.Column? VectorColumn(DataViewSchema schema, string name, bool required)
    {
        var column = schema.GetColumnOrNull(name);
        if (column is null)
        {
            if (required) throw new ArgumentException($"column '{name}' not found; columns: {string.Join(", ", schema.Select(c => c.Name))}");
            return null;
        }
        if (column.Value.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Single)
            throw new ArgumentException($"column '{name}' must be a vector of Single, not {column.Value.Type}");
        return column;
    }

    /// <summary>Labels as class indices: integers as they are, keys 1-based as ML.NET stores them (0 = missing → refused).</summary>
    private static Func<DataViewRowCursor, Func<long>> LabelReader(DataViewSchema.Column column)
    {
        string name = column.Name;
        return column.Type switch
        {
            KeyDataViewType => cursor => { var g = cursor.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v == 0 ? throw new ArgumentException($"column '{name}' has a missing key") : v - 1; }; },
            var t when t == NumberDataViewType.Int64 => cursor => { var g = cursor.GetGetter<long>(column); long v = 0; return () => { g(ref v); return v; }; },
            var t when t == NumberDataViewType.Int32 => cursor => { var g = cursor.GetGetter<int>(column); int v = 0; return () => { g(ref v); return v; }; },
            var t when t == NumberDataViewType.UInt32 => cursor => { var g = cursor.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; },
            var t when t == NumberDataViewType.Single => cursor => { var g = cursor.GetGetter<float>(column); float v = 0; return () => { g(ref v); return (long)v; }; },
            _ => throw new ArgumentException($"label column '{name}' must hold integers or keys, not {column.Type}"),
        };
    }
}
