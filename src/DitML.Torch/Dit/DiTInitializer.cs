using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Models;

namespace DitML.Dit;

/// <summary>
/// The official DiT initialization: every Linear xavier-uniform with zero bias; the patch convolution xavier-uniform
/// over its (D, C·p·p) view; label table and both timestep-MLP weights normal(0, 0.02); zero for every adaLN-Zero
/// modulation Linear, the final modulation and the final Linear — so a new model outputs exactly 0.
/// </summary>
internal static class DiTInitializer
{
    public static void Initialize(DiT model)
    {
        using var _ = no_grad();
        InitializeLinearsAndEmbedders(model, model.PatchEmbedder, model.LabelEmbedder, model.TimestepEmbedder);

        foreach (var block in model.Blocks)
        {
            if (block is AdaLNBlock adaLN && model.Config.Conditioning == DiTConditioning.AdaLNZero)
                ZeroLinear(adaLN.Modulation);
        }

        if (model.Head.Modulation is { } modulation) ZeroLinear(modulation);
        ZeroLinear(model.Head.Output);
    }

    /// <summary>
    /// What DiT and latent DiffiT initialize alike, in this order (the draws depend on it): every Linear xavier-uniform
    /// with zero bias, the patch convolution xavier-uniform over its (D, C·p·p) view with zero bias, the label table and
    /// both timestep-MLP weights normal(0, 0.02). Call under no_grad.
    /// </summary>
    internal static void InitializeLinearsAndEmbedders(nn.Module model, PatchEmbed patch, LabelEmbedder label, TimestepEmbedder timestep)
    {
        foreach (var (_, module) in model.named_modules())
        {
            if (module is Linear linear)
            {
                nn.init.xavier_uniform_(linear.weight);
                if (linear.bias is { } bias) nn.init.zeros_(bias);
            }
        }

        var proj = patch.Projection;
        using (var view = proj.weight!.view(proj.weight.shape[0], -1)) nn.init.xavier_uniform_(view);
        nn.init.zeros_(proj.bias!);

        nn.init.normal_(label.Table.weight!, 0, 0.02);
        var (first, last) = timestep.Layers;
        nn.init.normal_(first.weight!, 0, 0.02);
        nn.init.normal_(last.weight!, 0, 0.02);
    }

    private static void ZeroLinear(Linear linear)
    {
        nn.init.zeros_(linear.weight!);
        if (linear.bias is { } bias) nn.init.zeros_(bias);
    }
}
