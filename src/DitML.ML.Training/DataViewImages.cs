using DitML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Training;

/// <summary>Reads an IDataView's image (or latent) column and label column into an <see cref="InMemoryImageDataset"/>.</summary>
internal static class DataViewImages
{
    public static InMemoryImageDataset Read(IDataView data, string pixelsColumn, string labelColumn)
    {
        var schema = data.Schema;
        var pixels = schema.GetColumnOrNull(pixelsColumn)
            ?? throw new ArgumentException($"input has no column '{pixelsColumn}' (columns: {string.Join(", ", schema.Select(c => c.Name))})");
        var label = schema.GetColumnOrNull(labelColumn)
            ?? throw new ArgumentException($"input has no column '{labelColumn}' (columns: {string.Join(", ", schema.Select(c => c.Name))})");
        if (pixels.Type is not VectorDataViewType { ItemType: var item, Dimensions: var dims } || item != NumberDataViewType.Single || dims.Length != 3 || dims.Any(d => d <= 0))
            throw new ArgumentException($"column '{pixelsColumn}' must be a vector of Single with known (C, H, W) dimensions (e.g. [VectorType(1, 28, 28)]), not {pixels.Type}");
        int c = dims[0], h = dims[1], w = dims[2], size = c * h * w;
        int keyCount = label.Type is KeyDataViewType key ? (int)key.Count : 0;

        var values = new List<float>();
        var labels = new List<int>();
        using var cursor = data.GetRowCursor([pixels, label]);
        var getPixels = cursor.GetGetter<VBuffer<float>>(pixels);
        var getLabel = LabelGetter(cursor, label);
        VBuffer<float> row = default;
        while (cursor.MoveNext())
        {
            getPixels(ref row);
            foreach (float v in row.DenseValues()) values.Add(v);
            labels.Add(getLabel());
        }
        if (labels.Count == 0) throw new ArgumentException("the training data has no rows");
        int classes = keyCount > 0 ? keyCount : labels.Max() + 1;
        return new InMemoryImageDataset([.. values], [.. labels], c, h, w, classes);
    }

    /// <summary>Class indices from 0: keys are 1-based in ML.NET (0 = missing, refused), integers taken as they are.</summary>
    private static Func<int> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        string name = column.Name;
        switch (column.Type)
        {
            case KeyDataViewType:
                {
                    var g = cursor.GetGetter<uint>(column);
                    uint v = 0;
                    return () => { g(ref v); return v == 0 ? throw new ArgumentException($"column '{name}' has a missing key") : (int)v - 1; };
                }
            case var t when t == NumberDataViewType.Int64:
                {
                    var g = cursor.GetGetter<long>(column);
                    long v = 0;
                    return () => { g(ref v); return checked((int)v); };
                }
            case var t when t == NumberDataViewType.Int32:
                {
                    var g = cursor.GetGetter<int>(column);
                    int v = 0;
                    return () => { g(ref v); return v; };
                }
            default:
                throw new ArgumentException($"label column '{name}' must hold keys or integers, not {column.Type}");
        }
    }
}
