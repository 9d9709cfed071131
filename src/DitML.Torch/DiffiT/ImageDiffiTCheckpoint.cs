using DitML.Checkpoints;
using DitML.Diffusion;
using DitML.Models;
using DitML.Onnx;

namespace DitML.DiffiT;

/// <summary>
/// Image DiffiT weights in a safetensors file: the network F's state_dict, its config and EDM settings in the metadata
/// (<see cref="ImageDiffiTOnnxMetadata"/>). What <c>EdmTrainer</c> writes as <c>ema.safetensors</c>.
/// </summary>
public static class ImageDiffiTCheckpoint
{
    /// <summary>Writes the network's weights with its config and EDM settings.</summary>
    public static void Save(string path, ImageDiffiT model, EdmSettings? edm = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckpointFile.Write(path, ModelStateDict.Export(model), Metadata(model.Config, edm ?? new EdmSettings()));
    }

    /// <summary>The metadata describing a network: its config and EDM settings.</summary>
    internal static Dictionary<string, string> Metadata(ImageDiffiTConfig config, EdmSettings edm) => new()
    {
        [ImageDiffiTOnnxMetadata.Config] = config.ToJson(),
        [ImageDiffiTOnnxMetadata.Edm] = EdmSettingsJson.ToJson(edm),
        [ImageDiffiTOnnxMetadata.Parameterization] = ImageDiffiTOnnxMetadata.EdmParameterization,
    };

    /// <summary>
    /// Reads a network written by <see cref="Save"/>, or the weights <paramref name="weights"/> selects (EMA by default)
    /// of an <c>EdmTrainer</c> run's checkpoint.safetensors; strict: every key and shape must fit its config.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an image DiffiT checkpoint, or weights that do not fit (every problem listed).</exception>
    public static (ImageDiffiT Model, EdmSettings Edm) Load(string path, CheckpointWeights weights = CheckpointWeights.Auto)
    {
        var contents = CheckpointFile.Open(path, weights);
        if (!contents.Metadata.TryGetValue(ImageDiffiTOnnxMetadata.Config, out var json))
            throw new InvalidDataException($"{path}: not an image DiffiT checkpoint (its metadata has no '{ImageDiffiTOnnxMetadata.Config}')");
        ImageDiffiTConfig config;
        try
        {
            config = ImageDiffiTConfig.FromJson(json);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        var edm = contents.Metadata.TryGetValue(ImageDiffiTOnnxMetadata.Edm, out var e2) ? EdmSettingsJson.FromJson(e2, path) : new EdmSettings();
        var model = new ImageDiffiT(config);
        try
        {
            ModelStateDict.Load(model, contents.Tensors, path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return (model, edm);
    }

    /// <summary>True when the checkpoint's metadata names an image DiffiT.</summary>
    public static bool IsImageDiffiT(CheckpointContents contents) =>
        contents?.Metadata.ContainsKey(ImageDiffiTOnnxMetadata.Config) ?? throw new ArgumentNullException(nameof(contents));
}
