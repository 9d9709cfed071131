using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Dit;
using DitML.Native;
using DitML.Vae;
using DitML.Models;

namespace DitML.DiffiT;

/// <summary>
/// Image-space DiffiT (Hatamizadeh et al., §3.3), the raw network F of EDM: forward(x (N, C, I, I), c_noise (N),
/// y (N) int64) → (N, C, I, I). A U-shaped encoder/decoder — conv tokenizer, <see cref="DiffiTResBlock"/>s at every
/// resolution, Conv3×3 stride-2 downsampling, nearest ×2 + Conv3×3 upsampling, concatenated skips merged by 1×1 convs,
/// a GN → SiLU → Conv3×3 head — with time only in the time token of every window TMSA. Wrap it in
/// <see cref="DitML.Diffusion.EdmDenoiser"/> for D(x; σ). Every choice the paper leaves open is documented on
/// <see cref="ImageDiffiTConfig"/>. GroupNorms are DitML's (<see cref="VaeGroupNorm"/>: TorchSharp 0.107's leaves its
/// affine parameters uninitialized) and every convolution goes through <see cref="OneDnnConvolution"/> (oneDNN's wrong
/// NCHW input gradients when the output channels are not a multiple of 16, e.g. the head's 1 or 3).
/// </summary>
public sealed class ImageDiffiT : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly TimestepEmbedder t_embedder;
    private readonly LabelEmbedder? y_embedder;
    private readonly Conv2d tokenizer;
    private readonly ModuleList<ModuleList<DiffiTResBlock>> encoder;
    private readonly ModuleList<Conv2d> downsamples;
    private readonly ModuleList<Conv2d> upsamples;
    private readonly ModuleList<Conv2d> skip_merges;
    private readonly ModuleList<ModuleList<DiffiTResBlock>> decoder;
    private readonly VaeGroupNorm head_norm;
    private readonly Conv2d head;
#pragma warning restore IDE1006

    /// <summary>Builds and initializes a model (use <see cref="torch.manual_seed"/> first for reproducible weights).</summary>
    public ImageDiffiT(ImageDiffiTConfig config) : base(nameof(ImageDiffiT))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        var ch = config.StageChannels;
        int stages = config.Stages, c0 = ch[0];
        t_embedder = new TimestepEmbedder(config.TimeEmbedDim);
        y_embedder = config.Conditional ? new LabelEmbedder(config.NumClasses, config.TimeEmbedDim, config.ClassDropoutProb) : null;
        tokenizer = nn.Conv2d(config.InChannels, c0, 3, padding: 1);
        ModuleList<DiffiTResBlock> Blocks(int s) => new(Enumerable.Range(0, config.BlocksPerStage[s]).Select(_ =>
            new DiffiTResBlock(ch[s], config.Heads(ch[s]), config.MlpHiddenSize(ch[s]), config.WindowSize, config.TimeEmbedDim, config.GroupNormGroups)).ToArray());
        encoder = new ModuleList<ModuleList<DiffiTResBlock>>(Enumerable.Range(0, stages).Select(Blocks).ToArray());
        downsamples = new ModuleList<Conv2d>(Enumerable.Range(0, stages - 1).Select(s => nn.Conv2d(ch[s], ch[s + 1], 3, stride: 2, padding: 1)).ToArray());
        upsamples = new ModuleList<Conv2d>(Enumerable.Range(0, stages - 1).Select(s => nn.Conv2d(ch[s + 1], ch[s], 3, padding: 1)).ToArray());
        skip_merges = new ModuleList<Conv2d>(Enumerable.Range(0, stages - 1).Select(s => nn.Conv2d(2 * ch[s], ch[s], 1)).ToArray());
        decoder = new ModuleList<ModuleList<DiffiTResBlock>>(Enumerable.Range(0, stages).Select(Blocks).ToArray());
        head_norm = VaeLayers.GroupNorm(config.GroupNormGroups, c0, 1e-5);
        head = nn.Conv2d(c0, config.InChannels, 3, padding: 1);
        RegisterComponents();
        Initialize();
    }

    /// <summary>The model's shape.</summary>
    public ImageDiffiTConfig Config { get; }

    /// <summary>x (N, C, I, I) float32, the noise label c_noise (N) float32, y (N) int64 labels (ignored when unconditional) → (N, C, I, I).</summary>
    public override Tensor forward(Tensor x, Tensor noiseLabel, Tensor y)
    {
        CheckInputs(x, noiseLabel, y);
        using var scope = NewDisposeScope();
        var c = t_embedder.forward(noiseLabel);                              // (N, T_e): the time token
        if (y_embedder != null) c = c + y_embedder.forward(y);               // … carries the label
        var h = OneDnnConvolution.Forward(tokenizer, x);                                        // (N, C₀, I, I)
        var skips = new Tensor[Config.Stages];
        for (int s = 0; s < Config.Stages; s++)
        {
            foreach (var block in encoder[s]) h = block.forward(h, c);       // (N, C_s, I/2^s, I/2^s)
            skips[s] = h;
            if (s + 1 < Config.Stages) h = OneDnnConvolution.Forward(downsamples[s], h);        // (N, C_s+1, I/2^(s+1), …)
        }
        for (int s = Config.Stages - 1; s >= 0; s--)
        {
            if (s + 1 < Config.Stages)
            {
                var up = nn.functional.interpolate(h, scale_factor: [2, 2], mode: InterpolationMode.Nearest);
                h = OneDnnConvolution.Forward(upsamples[s], up);                                // (N, C_s, I/2^s, I/2^s)
                h = OneDnnConvolution.Forward(skip_merges[s], cat([h, skips[s]], 1));           // (N, 2C_s, …) → (N, C_s, …)
            }
            foreach (var block in decoder[s]) h = block.forward(h, c);
        }
        return OneDnnConvolution.Forward(head, nn.functional.silu(head_norm.forward(h))).MoveToOuterDisposeScope(); // (N, C, I, I)
    }

    /// <summary>
    /// PyTorch's default initialization of the convolutions and Linears, then: bias tables truncated normal std 0.02
    /// (as latent DiffiT), the label table and both time-MLP weights normal(0, 0.02) (as DiT), and the head zero, so a
    /// new network outputs 0 and the EDM denoiser starts as D(x; σ) = c_skip(σ)·x.
    /// </summary>
    private void Initialize()
    {
        using var _ = no_grad();
        var (first, last) = t_embedder.Layers;
        nn.init.normal_(first.weight!, 0, 0.02);
        nn.init.normal_(last.weight!, 0, 0.02);
        if (y_embedder != null) nn.init.normal_(y_embedder.Table.weight!, 0, 0.02);
        // Explicit Scalars: an implicit one is left to the finalizer, which can free it while libtorch still reads it.
        using var low = (-2.0).ToScalar();
        using var high = 2.0.ToScalar();
        foreach (var block in encoder.Concat(decoder).SelectMany(b => b))
            nn.init.normal_(block.Attention.BiasTable, 0, 0.02).clamp_(low, high);
        nn.init.zeros_(head.weight!);
        nn.init.zeros_(head.bias!);
    }

    private void CheckInputs(Tensor x, Tensor noiseLabel, Tensor y)
    {
        var cfg = Config;
        if (x.dim() != 4 || x.shape[1] != cfg.InChannels || x.shape[2] != cfg.ImageSize || x.shape[3] != cfg.ImageSize)
            throw new ArgumentException(
                $"x must be (N, {cfg.InChannels}, {cfg.ImageSize}, {cfg.ImageSize}), got ({string.Join(", ", x.shape)})", nameof(x));
        if (noiseLabel.dim() != 1 || noiseLabel.shape[0] != x.shape[0])
            throw new ArgumentException($"the noise label must be ({x.shape[0]}), got ({string.Join(", ", noiseLabel.shape)})", nameof(noiseLabel));
        if (cfg.Conditional && (y.dim() != 1 || y.shape[0] != x.shape[0]))
            throw new ArgumentException($"y must be ({x.shape[0]}), got ({string.Join(", ", y.shape)})", nameof(y));
    }
}
