using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Dit;

namespace DitML.DiffiT;

/// <summary>
/// The release's initialization of latent DiffiT: every Linear xavier-uniform with zero bias (qkv, qkv_temb, proj,
/// fc1, fc2 included: attention is not zero-initialized); the patch convolution xavier-uniform over its (D, C·p·p) view,
/// bias 0; label table and both timestep-MLP weights normal(0, 0.02); bias tables truncated normal std 0.02 (bounds ±2);
/// the final Linear weight and bias 0, so a new model outputs exactly 0.
/// </summary>
internal static class LatentDiffiTInitializer
{
    public static void Initialize(LatentDiffiT model)
    {
        using var _ = no_grad();
        DiTInitializer.InitializeLinearsAndEmbedders(model, model.PatchEmbedder, model.LabelEmbedder, model.TimestepEmbedder);

        // Truncated normal std 0.02 with bounds ±2 (100 σ, as in the release, so the truncation never binds): a normal
        // draw clamped to the bounds. (TorchSharp 0.107's trunc_normal_ leaves the table near-constant.)
        foreach (var block in model.Blocks)
            nn.init.normal_(block.Attention.BiasTable, 0, 0.02).clamp_(-2, 2);

        var output = model.Head.Output;
        nn.init.zeros_(output.weight!);
        nn.init.zeros_(output.bias!);
    }
}
