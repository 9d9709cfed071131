using TorchSharp;
using static TorchSharp.torch;
using DitML.DiffiT;
using DitML.Models;

namespace DitML.Dit;

/// <summary>
/// A DiT block: (x (N, T, D), conditioning vector c (N, D), conditioning tokens (N, 2, D)) → x. Each design reads what
/// it needs; the self-attention is plain or DiffiT's time-dependent one.
/// </summary>
public abstract class DiTBlockBase : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    /// <summary>Names the module.</summary>
    protected DiTBlockBase(string name) : base(name)
    {
    }

    /// <summary>Creates the self-attention of a block: plain, or TMSA when the config asks for it.</summary>
    protected static nn.Module CreateSelfAttention(DiTConfig config) => config.TimeDependentAttention
        ? new TimeDependentSelfAttention(config.HiddenSize, config.NumHeads, config.GridSize)
        : new Attention(config.HiddenSize, config.NumHeads);

    /// <summary>Runs a self-attention made by <see cref="CreateSelfAttention"/>.</summary>
    protected static Tensor SelfAttend(nn.Module attention, Tensor x, Tensor c) => attention switch
    {
        TimeDependentSelfAttention tmsa => tmsa.forward(x, c),
        Attention plain => plain.forward(x),
        _ => throw new InvalidOperationException($"unexpected attention module {attention.GetType().Name}"),
    };
}
