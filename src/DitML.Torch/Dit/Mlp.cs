using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DitML.Precision;

namespace DitML.Dit;

/// <summary>The transformer MLP: Linear(D, 4D) → GELU (tanh approximation) → Linear(4D, D). No dropout.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>Creates the MLP of width D and hidden width H.</summary>
    public Mlp(int hiddenSize, int mlpHiddenSize) : base(nameof(Mlp))
    {
        fc1 = nn.Linear(hiddenSize, mlpHiddenSize);
        fc2 = nn.Linear(mlpHiddenSize, hiddenSize);
        RegisterComponents();
    }

    /// <summary>(N, T, D) → (N, T, D).</summary>
    public override Tensor forward(Tensor x)
    {
        using var h = MixedPrecision.Linear(fc1, x);                        // (N, T, H)
        using var a = nn.functional.gelu(h, GELU.Approximate.tanh);         // bf16 in a bf16 scope (measured no slower than fp32)
        return MixedPrecision.Linear(fc2, a);                                              // (N, T, D)
    }
}
