using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Models;
using DitML.Precision;

namespace DitML.Dit;

/// <summary>
/// A Diffusion Transformer (Peebles &amp; Xie): forward(x (N, C, I, I), t (N), y (N) int64) → (N, C_out, I, I), the
/// predicted noise followed (with learned variance) by the variance interpolation values. Parameter names equal the
/// official PyTorch release's state_dict keys, so released checkpoints load unchanged; a new model outputs exactly 0.
/// </summary>
public sealed class DiT : nn.Module<Tensor, Tensor, Tensor, Tensor>, IDiffusionTransformer
{
#pragma warning disable IDE1006 // PyTorch state_dict names
    private readonly PatchEmbed x_embedder;
    private readonly TimestepEmbedder t_embedder;
    private readonly LabelEmbedder y_embedder;
    private readonly Parameter pos_embed;
    private readonly ModuleList<DiTBlockBase> blocks;
    private readonly FinalLayer final_layer;
#pragma warning restore IDE1006

    /// <summary>Builds and initializes a model (use <see cref="torch.manual_seed"/> first for reproducible weights).</summary>
    public DiT(DiTConfig config) : base(nameof(DiT))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        int d = config.HiddenSize;
        x_embedder = new PatchEmbed(config.InChannels, config.PatchSize, d);
        t_embedder = new TimestepEmbedder(d);
        y_embedder = new LabelEmbedder(config.NumClasses, d, config.ClassDropoutProb);
        // Fixed, but a Parameter (not trained) as in the official code, so it is in the state_dict as `pos_embed`.
        pos_embed = new Parameter(tensor(SinCosEmbedding.Position2D(d, config.GridSize), [1, config.NumPatches, d]), requires_grad: false);
        blocks = new ModuleList<DiTBlockBase>(Enumerable.Range(0, config.Depth).Select(_ => CreateBlock(config)).ToArray());
        final_layer = new FinalLayer(d, config.PatchSize, config.OutChannels, DiTComplexity.UsesAdaptiveNorm(config));
        RegisterComponents();
        DiTInitializer.Initialize(this);
    }

    /// <summary>The model's shape.</summary>
    public DiTConfig Config { get; }

    int IDiffusionTransformer.InChannels => Config.InChannels;

    int IDiffusionTransformer.InputSize => Config.InputSize;

    bool IDiffusionTransformer.LearnSigma => Config.LearnSigma;

    int IDiffusionTransformer.NumClasses => Config.NumClasses;

    string IDiffusionTransformer.ConfigMetadataKey => DiTCheckpoint.ConfigMetadataKey;

    string IDiffusionTransformer.ConfigJson => Config.ToJson();

    nn.Module IDiffusionTransformer.Module => this;

    internal PatchEmbed PatchEmbedder => x_embedder;

    internal TimestepEmbedder TimestepEmbedder => t_embedder;

    internal LabelEmbedder LabelEmbedder => y_embedder;

    internal IEnumerable<DiTBlockBase> Blocks => blocks;

    internal FinalLayer Head => final_layer;

    /// <summary>x (N, C, I, I) float32, t (N) steps (int or float), y (N) int64 labels (null class = NumClasses) → (N, C_out, I, I).</summary>
    public override Tensor forward(Tensor x, Tensor t, Tensor y)
    {
        CheckInputs(x, t, y);
        using var scope = NewDisposeScope();
        var h = x_embedder.forward(x) + pos_embed;                          // (N, T, D)
        var tEmb = t_embedder.forward(t);                                   // (N, D)
        var yEmb = y_embedder.forward(y);                                   // (N, D)
        var c = tEmb + yEmb;                                                // (N, D)
        var tokens = stack([tEmb, yEmb], dim: 1);                           // (N, 2, D)
        if (Config.Conditioning == DiTConditioning.InContext)
            h = cat([h, tokens], dim: 1);                                   // (N, T + 2, D)
        foreach (var block in blocks)
            h = block.forward(h, c, tokens);
        if (Config.Conditioning == DiTConditioning.InContext)
            h = h.narrow(1, 0, Config.NumPatches);                          // drop the conditioning tokens
        h = final_layer.forward(h, c);                                      // (N, T, p·p·C_out)
        // A bfloat16 scope's head is bfloat16: the loss and the samplers read float32.
        return MixedPrecision.ToFloat32(Unpatchify(h)).MoveToOuterDisposeScope(); // (N, C_out, I, I)
    }

    /// <summary>(N, T, p·p·C) → (N, C, h·p, w·p): token (i, j)'s patch lands at rows i·p.., columns j·p...</summary>
    public Tensor Unpatchify(Tensor x)
    {
        int c = Config.OutChannels, p = Config.PatchSize, g = Config.GridSize;
        var grid = x.reshape(x.shape[0], g, g, p, p, c);                    // (N, h, w, p, p, C)
        return grid.permute(0, 5, 1, 3, 2, 4).reshape(x.shape[0], c, g * p, g * p);
    }

    private static DiTBlockBase CreateBlock(DiTConfig config) => config.Conditioning switch
    {
        DiTConditioning.AdaLNZero => new AdaLNBlock(config, gated: true),
        DiTConditioning.AdaLN => new AdaLNBlock(config, gated: false),
        DiTConditioning.CrossAttention => new CrossAttentionBlock(config),
        DiTConditioning.InContext => new InContextBlock(config),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Conditioning, "unknown conditioning"),
    };

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
