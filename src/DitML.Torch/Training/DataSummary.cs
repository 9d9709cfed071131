using System.Globalization;
using DitML.Data;

namespace DitML.Training;

/// <summary>
/// What a run remembers of its data (count, shape, classes), so that resuming on other data is noticed.
/// </summary>
/// <param name="Count">Images.</param>
/// <param name="Channels">Channels per image.</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Classes">Classes.</param>
public readonly record struct DataSummary(int Count, int Channels, int Height, int Width, int Classes)
{
    /// <summary>The summary of <paramref name="data"/>.</summary>
    public static DataSummary Of(IImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new(data.Count, data.Channels, data.Height, data.Width, data.ClassCount);
    }

    /// <summary>The summary as stored in a checkpoint ("count,channels,height,width,classes").</summary>
    public string Serialize() => string.Create(CultureInfo.InvariantCulture, $"{Count},{Channels},{Height},{Width},{Classes}");

    /// <summary>Reads <see cref="Serialize"/>'s form; null when <paramref name="text"/> is not one.</summary>
    public static DataSummary? Parse(string? text)
    {
        var parts = text?.Split(',');
        if (parts is not { Length: 5 }) return null;
        var n = new int[5];
        for (int i = 0; i < 5; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out n[i])) return null;
        return new(n[0], n[1], n[2], n[3], n[4]);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Count} images of {Channels}×{Height}×{Width} in {Classes} classes");
}
