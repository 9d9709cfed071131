using System.Globalization;
using System.Text.Json.Serialization;

namespace DitML.Cli.Sweeps;

/// <summary>One combination of the training knobs: a model shape and an optimizer setting.</summary>
/// <param name="Index">Position in the grid enumeration (stable across reruns).</param>
/// <param name="Depth">Transformer blocks.</param>
/// <param name="HiddenSize">Token width.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="Patch">Patch size.</param>
/// <param name="Lr">AdamW learning rate.</param>
/// <param name="Batch">Images per step.</param>
public sealed record SweepTrial(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("depth")] int Depth,
    [property: JsonPropertyName("hidden_size")] int HiddenSize,
    [property: JsonPropertyName("heads")] int Heads,
    [property: JsonPropertyName("patch")] int Patch,
    [property: JsonPropertyName("lr")] double Lr,
    [property: JsonPropertyName("batch")] int Batch)
{
    /// <summary>Folder name under DIR/trials: the grid index and the settings, e.g. <c>003-d4-w128-h4-p4-lr0.0001-b64</c>.</summary>
    [JsonIgnore]
    public string Id => string.Create(CultureInfo.InvariantCulture, $"{Index:D3}-d{Depth}-w{HiddenSize}-h{Heads}-p{Patch}-lr{Lr:G4}-b{Batch}");
}
