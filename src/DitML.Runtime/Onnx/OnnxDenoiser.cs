using DitML.Sampling;
using Microsoft.ML.OnnxRuntime;

namespace DitML.Onnx;

/// <summary>
/// A DitML-exported DiT on ONNX Runtime, as an <see cref="IDenoiser"/>. Input and output tensors live in buffers owned
/// by the denoiser and are bound once per batch size, so sampling steps allocate nothing.
/// </summary>
public sealed class OnnxDenoiser : IDenoiser, IDisposable
{
    private static readonly string[] InputNames = ["x", "t", "y"];
    private static readonly string[] OutputNames = ["out"];
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private Bound? bound;

    /// <summary>Opens an exported model.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not an ONNX file, or not a DitML-exported DiT.</exception>
    public OnnxDenoiser(string modelPath, OnnxDenoiserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"model not found: {modelPath}", modelPath);
        options ??= new OnnxDenoiserOptions();
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = options.IntraOpThreads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
#if DITML_CUDA
        if (options.UseCuda) sessionOptions.AppendExecutionProvider_CUDA();
#else
        if (options.UseCuda) throw new NotSupportedException("this build of DitML has no CUDA support: build with -p:DitMLDevice=cuda");
#endif
        try
        {
            session = new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{modelPath}: ONNX Runtime cannot load it: {e.Message}", e);
        }
        try
        {
            Info = DiTModelInfo.FromMetadata(session.ModelMetadata.CustomMetadataMap, modelPath);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The model's description from its metadata.</summary>
    public DiTModelInfo Info { get; }

    /// <inheritdoc />
    public int Channels => Info.Config.InChannels;

    /// <inheritdoc />
    public int Height => Info.Config.InputSize;

    /// <inheritdoc />
    public int Width => Info.Config.InputSize;

    /// <inheritdoc />
    public bool LearnSigma => Info.Config.LearnSigma;

    /// <inheritdoc />
    public int NumClasses => Info.Config.NumClasses;

    /// <inheritdoc />
    public void Predict(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> y, Span<float> output)
    {
        int n = y.Length;
        if (bound?.Rows != n)
        {
            bound?.Dispose();
            bound = new Bound(n, Channels * Height * Width, Info.Config.OutChannels * Height * Width, Channels, Info.Config.OutChannels, Height, Width);
        }
        x.CopyTo(bound.X);
        t.CopyTo(bound.T);
        y.CopyTo(bound.Y);
        session.Run(runOptions, InputNames, bound.Inputs, OutputNames, bound.Outputs);
        bound.Out.AsSpan(0, output.Length).CopyTo(output);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        bound?.Dispose();
        runOptions.Dispose();
        session.Dispose();
    }

    /// <summary>Managed buffers and the OrtValues that view them, for one batch size.</summary>
    private sealed class Bound : IDisposable
    {
        public Bound(int rows, int plane, int outPlane, int c, int cOut, int h, int w)
        {
            Rows = rows;
            X = new float[rows * plane];
            T = new float[rows];
            Y = new long[rows];
            Out = new float[rows * outPlane];
            Inputs =
            [
                OrtValue.CreateTensorValueFromMemory(X, [rows, c, h, w]),
                OrtValue.CreateTensorValueFromMemory(T, [rows]),
                OrtValue.CreateTensorValueFromMemory(Y, [rows]),
            ];
            Outputs = [OrtValue.CreateTensorValueFromMemory(Out, [rows, cOut, h, w])];
        }

        public int Rows { get; }

        public float[] X { get; }

        public float[] T { get; }

        public long[] Y { get; }

        public float[] Out { get; }

        public OrtValue[] Inputs { get; }

        public OrtValue[] Outputs { get; }

        public void Dispose()
        {
            foreach (var v in Inputs.Concat(Outputs)) v.Dispose();
        }
    }
}
