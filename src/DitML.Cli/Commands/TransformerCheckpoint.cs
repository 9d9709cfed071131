using DitML.Checkpoints;
using DitML.DiffiT;
using DitML.Dit;
using DitML.Models;

namespace DitML.Cli.Commands;

/// <summary>
/// A DiT or latent DiffiT from a checkpoint file (.pt, .safetensors; a training checkpoint or bare weights), the family
/// told by <see cref="DiTLoadOptions.Model"/> or the file itself: what `export-onnx` exports and `sample` samples.
/// </summary>
internal static class TransformerCheckpoint
{
    /// <summary>The extensions read as checkpoints rather than ONNX models.</summary>
    public static bool IsCheckpointPath(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".pt" or ".pth" or ".safetensors" or ".ckpt" or ".bin";

    public static IDiffusionTransformer Load(string source, DiTLoadOptions options)
    {
        var contents = CheckpointFile.Open(source, options.Weights);
        return LatentDiffiTConfig.IsDiffiTName(options.Model) || (options.Model is null && LatentDiffiTCheckpoint.Recognizes(contents))
            ? LoadDiffiT(contents, source, options)
            : DiTCheckpoint.Load(contents, options, source);
    }

    /// <summary>A latent DiffiT from the file's config (DitML metadata or shapes), or from the model name and the sizes given.</summary>
    private static LatentDiffiT LoadDiffiT(CheckpointContents contents, string source, DiTLoadOptions options)
    {
        if (options.Model is null) return LatentDiffiTCheckpoint.Load(contents, source);
        var shapes = LatentDiffiTCheckpoint.InferConfig(contents, source);
        var config = LatentDiffiTConfig.FromName(options.Model, options.InputSize ?? shapes.InputSize, options.InChannels ?? shapes.InChannels,
            options.NumClasses ?? shapes.NumClasses, shapes.LearnSigma);
        return LatentDiffiTCheckpoint.Load(contents, source, config);
    }
}
