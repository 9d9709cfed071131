using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Dit;
using DitML.Models;

namespace DitML.DiffiT;

/// <summary>
/// Latent DiffiT (Hatamizadeh et al.) as NVIDIA released it: forward(x (N, C, I, I), t (N), y (N) int64) →
/// (N, C_out, I, I), the predicted noise followed (with learned variance) by the variance interpolation values.
/// DiT's embedders (patch conv, fixed 2-D sin-cos <c>pos_embed</c>, timestep and label embedders), c = t_emb + y_emb as
/// the time token, <see cref="DiffiTBlock"/>s (no adaLN) and an LN → SiLU → Linear head. Parameter and buffer names
/// equal the release's state_dict keys, so <c>diffit_256.safetensors</c> loads strictly; a new model outputs exactly 0.
/// </summary>
public sealed class LatentDiffiT : nn.Module<Tensor, Tensor, Tensor, Tensor>, IDiffusionTransformer
{
#pragma warning disable IDE1006 // PyTorch state_dict names
    private readonly Parameter pos_embed;
    private readonly PatchEmbed x_embedder;
    private readonly TimestepEmbedder t_embedder;
    private readonly LabelEmbedder y_embedder;
    private readonly ModuleList<DiffiTBlock> blocks;
    private readonly DiffiTFinalLayer final_layer;
#pragma warning restore IDE1006

    /// <summary>Builds and initializes a model (use <see cref="torch.manual_seed"/> first for reproducible weights).</summary>
    public LatentDiffiT(LatentDiffiTConfig config) : base(nameof(LatentDiffiT))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        int d = config.HiddenSize;
        // Fixed, but a Parameter (not trained) as in the release, so it is in the state_dict as `pos_embed`.
        pos_embed = new Parameter(tensor(SinCosEmbedding.Position2D(d, config.GridSize), [1, config.NumPatches, d]), requires_grad: false);
        x_embedder = new PatchEmbed(config.InChannels, config.PatchSize, d);
        t_embedder = new TimestepEmbedder(d);
        y_embedder = new LabelEmbedder(config.NumClasses, d, config.ClassDropoutProb);
        blocks = new ModuleList<DiffiTBlock>(Enumerable.Range(0, config.Depth)
            .Select(_ => new DiffiTBlock(d, config.NumHeads, config.MlpHiddenSize, config.GridSize)).ToArray());
        final_layer = new DiffiTFinalLayer(d, config.PatchSize, config.OutChannels);
        RegisterComponents();
        LatentDiffiTInitializer.Initialize(this);
    }

    /// <summary>The model's shape.</summary>
    public LatentDiffiTConfig Config { get; }

    int IDiffusionTransformer.InChannels => Config.InChannels;

    int IDiffusionTransformer.InputSize => Config.InputSize;

    bool IDiffusionTransformer.LearnSigma => Config.LearnSigma;

    int IDiffusionTransformer.NumClasses => Config.NumClasses;

    string IDiffusionTransformer.ConfigMetadataKey => LatentDiffiTCheckpoint.ConfigMetadataKey;

    string IDiffusionTransformer.ConfigJson => Config.ToJson();

    nn.Module IDiffusionTransformer.Module => this;

    internal PatchEmbed PatchEmbedder => x_embedder;

    internal TimestepEmbedder TimestepEmbedder => t_embedder;

    internal LabelEmbedder LabelEmbedder => y_embedder;

    internal IEnumerable<DiffiTBlock> Blocks => blocks;

    internal DiffiTFinalLayer Head => final_layer;

    /// <summary>x (N, C, I, I) float32, t (N) steps (int or float), y (N) int64 labels (null class = NumClasses) → (N, C_out, I, I).</summary>
    public override Tensor forward(Tensor x, Tensor t, Tensor y)
    {
        CheckInputs(x, t, y);
        using var scope = NewDisposeScope();
        var h = x_embedder.forward(x) + pos_embed;                          // (N, T, D)
        var c = t_embedder.forward(t) + y_embedder.forward(y);              // (N, D): the time token carries the label
        foreach (var block in blocks)
            h = block.forward(h, c);                                        // (N, T, D)
        h = final_layer.forward(h);                                         // (N, T, p·p·C_out)
        return Unpatchify(h).MoveToOuterDisposeScope();                     // (N, C_out, I, I)
    }

    /// <summary>(N, T, p·p·C) → (N, C, W·p, W·p): token (i, j)'s patch lands at rows i·p.., columns j·p.. (as DiT).</summary>
    public Tensor Unpatchify(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int c = Config.OutChannels, p = Config.PatchSize, g = Config.GridSize;
        var grid = x.reshape(x.shape[0], g, g, p, p, c);                    // (N, h, w, p, p, C)
        return grid.permute(0, 5, 1, 3, 2, 4).reshape(x.shape[0], c, g * p, g * p);
    }

    private void CheckInputs(Tensor x, Tensor t, Tensor y)
    {
        var cfg = Config;
        if (x.dim() != 4 || x.shape[1] != cfg.InChannels || x.shape[2] != cfg.InputSize || x.shape[3] != cfg.InputSize)
            throw new ArgumentException(
                $"x must be (N, {cfg.InChannels}, {cfg.InputSize}, {cfg.InputSize}), got ({string.Join(", ", x.shape)})", nameof(x));
        if (t.dim() != 1 || t.shape[0] != x.shape[0])
            throw new ArgumentException($"t must be ({x.shape[0]}), got ({string.Join(", ", t.shape)})", nameof(t));
        if (y.dim() != 1 || y.shape[0] != x.shape[0])
            throw new ArgumentException($"y must be ({x.shape[0]}), got ({string.Join(", ", y.shape)})", nameof(y));
    }
}
