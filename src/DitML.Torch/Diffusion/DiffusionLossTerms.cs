using static TorchSharp.torch;

namespace DitML.Diffusion;

/// <summary>Per-example training loss terms, each (N): the total, the ε MSE, and the variational-bound term (bits).</summary>
/// <param name="Loss">mse + vb (or mse alone when the variance is not learned).</param>
/// <param name="Mse">Mean squared error of the predicted noise, averaged over all non-batch dimensions.</param>
/// <param name="Vb">The variational-bound term in bits, computed with the predicted noise detached; null without learned variance.</param>
public sealed record DiffusionLossTerms(Tensor Loss, Tensor Mse, Tensor? Vb) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Loss.Dispose();
        Mse.Dispose();
        Vb?.Dispose();
    }
}
