using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DitML.Dit;

/// <summary>
/// Class-label embedding table. With class dropout the table has an extra "null" row (id = number of classes) used
/// for classifier-free guidance; in training each label is replaced by it with the dropout probability.
/// </summary>
public sealed class LabelEmbedder : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // PyTorch state_dict name: y_embedder.embedding_table
    private readonly Embedding embedding_table;
#pragma warning restore IDE1006
    private readonly int numClasses;
    private readonly double dropoutProb;

    /// <summary>Creates the table for <paramref name="numClasses"/> classes (+1 null row when dropout &gt; 0).</summary>
    public LabelEmbedder(int numClasses, int hiddenSize, double dropoutProb) : base(nameof(LabelEmbedder))
    {
        this.numClasses = numClasses;
        this.dropoutProb = dropoutProb;
        embedding_table = nn.Embedding(numClasses + (dropoutProb > 0 ? 1 : 0), hiddenSize);
        RegisterComponents();
    }

    /// <summary>The table (initialized normal(0, 0.02)).</summary>
    internal Embedding Table => embedding_table;

    /// <summary>(N) int64 labels → (N, D); in training mode labels are dropped to the null class at random.</summary>
    public override Tensor forward(Tensor labels)
    {
        if (training && dropoutProb > 0)
        {
            using var scope = NewDisposeScope();
            // Explicit Scalars: an implicit one is left to the finalizer, which can free it while libtorch reads it.
            using var probability = dropoutProb.ToScalar();
            using var nullClass = ((long)numClasses).ToScalar();
            var drop = rand(labels.shape[0], device: labels.device).lt(probability);
            var kept = where(drop, full_like(labels, nullClass), labels);
            return embedding_table.forward(kept).MoveToOuterDisposeScope();
        }
        return embedding_table.forward(labels);
    }
}
