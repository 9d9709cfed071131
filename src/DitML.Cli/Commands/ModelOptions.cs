using System.CommandLine;
using DitML.Models;
using DitML.Dit;

namespace DitML.Cli.Commands;

/// <summary>The options that describe a DiT config on the command line (a paper name plus overrides).</summary>
internal sealed class ModelOptions
{
    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = "Paper config: DiT-S/8 … DiT-XL/2 (or 'all' for the table of the twelve, where supported); for `info` also latent DiffiT: DiffiT-XL/2 (released) … DiffiT-S/8.",
        DefaultValueFactory = _ => "DiT-XL/2",
    };

    public Option<int?> ImageSize { get; } = new("--image-size")
    {
        Description = "Image size in pixels; the latent the transformer sees is 1/8 of it (SD-VAE), as in the official scripts.",
    };

    public Option<int?> InputSize { get; } = new("--input-size")
    {
        Description = "Spatial size the transformer sees (latent or pixels). Default 32 (256-px images).",
    };

    public Option<int> InChannels { get; } = new("--in-channels") { Description = "Input channels (4 for SD-VAE latents).", DefaultValueFactory = _ => 4 };

    public Option<int> NumClasses { get; } = new("--num-classes") { Description = "Number of classes.", DefaultValueFactory = _ => 1000 };

    public Option<string> Conditioning { get; } = new Option<string>("--conditioning")
    {
        Description = "Block design: adaln-zero (default), adaln, cross-attention, in-context.",
        DefaultValueFactory = _ => "adaln-zero",
    }.AcceptOnlyFromAmong("adaln-zero", "adaln", "cross-attention", "in-context");

    public Option<bool> Tmsa { get; } = new("--tmsa") { Description = "Use DiffiT's time-dependent self-attention in every block." };

    public Option<bool> FixedVariance { get; } = new("--fixed-variance") { Description = "Predict only the noise (C output channels), not the variance." };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Model, ImageSize, InputSize, InChannels, NumClasses, Conditioning, Tmsa, FixedVariance })
            command.Options.Add(o);
    }

    /// <summary>The config for a given paper name and the parsed overrides.</summary>
    public DiTConfig Build(ParseResult parse, string name)
    {
        return DiTConfig.FromName(name, LatentSize(parse), parse.GetValue(InChannels), parse.GetValue(NumClasses), !parse.GetValue(FixedVariance)) with
        {
            Conditioning = ParseConditioning(parse.GetValue(Conditioning)!),
            TimeDependentAttention = parse.GetValue(Tmsa),
        };
    }

    /// <summary>The latent DiffiT config for a preset name and the parsed sizes; DiT-only switches are refused.</summary>
    public LatentDiffiTConfig BuildDiffiT(ParseResult parse, string name)
    {
        if (parse.GetValue(Tmsa))
            throw new ArgumentException($"--tmsa is DiT's TMSA option; {name} always uses DiffiT's own TMSA blocks");
        if (parse.GetValue(Conditioning) is { } conditioning && conditioning != "adaln-zero")
            throw new ArgumentException($"--conditioning {conditioning} is a DiT block design; {name} has no adaLN (its time token enters through TMSA)");
        return LatentDiffiTConfig.FromName(name, LatentSize(parse), parse.GetValue(InChannels), parse.GetValue(NumClasses), !parse.GetValue(FixedVariance));
    }

    private int LatentSize(ParseResult parse)
    {
        int? image = parse.GetValue(ImageSize), input = parse.GetValue(InputSize);
        if (image != null && input != null)
            throw new ArgumentException("give either --image-size (pixels) or --input-size (what the transformer sees), not both");
        if (image is { } px && (px <= 0 || px % 8 != 0))
            throw new ArgumentException($"--image-size must be a positive multiple of 8 (the VAE downsamples by 8), got {px}");
        return input ?? (image is { } p ? p / 8 : 32);
    }

    public static DiTConditioning ParseConditioning(string text) => text switch
    {
        "adaln-zero" => DiTConditioning.AdaLNZero,
        "adaln" => DiTConditioning.AdaLN,
        "cross-attention" => DiTConditioning.CrossAttention,
        "in-context" => DiTConditioning.InContext,
        _ => throw new ArgumentException($"unknown --conditioning '{text}'"),
    };
}
