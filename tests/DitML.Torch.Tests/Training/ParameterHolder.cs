using TorchSharp;
using static TorchSharp.torch;

namespace DitML.Torch.Tests.Training;

/// <summary>A module holding one parameter vector <c>p</c>: what the optimizer tests step.</summary>
internal sealed class ParameterHolder : nn.Module
{
#pragma warning disable IDE1006 // the parameter's name is its state_dict key, as PyTorch names it
    private readonly TorchSharp.Modules.Parameter p;
#pragma warning restore IDE1006

    public ParameterHolder(float[] values) : base("holder")
    {
        p = new TorchSharp.Modules.Parameter(tensor(values));
        RegisterComponents();
    }

    public TorchSharp.Modules.Parameter P => p;
}
