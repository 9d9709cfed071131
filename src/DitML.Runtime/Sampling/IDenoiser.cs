namespace DitML.Sampling;

/// <summary>
/// A diffusion network as samplers see it: batched, on flat float32 buffers. Implemented by the ONNX Runtime denoiser
/// (serving) and by the TorchSharp model (training, benchmarks).
/// </summary>
public interface IDenoiser
{
    /// <summary>Input channels C.</summary>
    int Channels { get; }

    /// <summary>Input height.</summary>
    int Height { get; }

    /// <summary>Input width.</summary>
    int Width { get; }

    /// <summary>True when the output has 2C channels: ε, then the variance interpolation v of the learned range.</summary>
    bool LearnSigma { get; }

    /// <summary>Number of classes; the null (unconditional) class is id <see cref="NumClasses"/>.</summary>
    int NumClasses { get; }

    /// <summary>
    /// Evaluates the network on N rows: x (N, C, H, W), t (N) original step indices (fractional allowed), y (N) labels;
    /// writes (N, C_out, H, W) into <paramref name="output"/>.
    /// </summary>
    void Predict(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> y, Span<float> output);
}
