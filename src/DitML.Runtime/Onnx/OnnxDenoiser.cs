using DitML.Sampling;
using Microsoft.ML.OnnxRuntime;

namespace DitML.Onnx;

/// <summary>
/// A DitML-exported DiT — or EDM model (image-space DiffiT, whose graph takes σ in place of t and gives D(x; σ)) — on
/// ONNX Runtime, as an <see cref="IDenoiser"/>. Safe to share between threads: each call
/// rents input and output buffers (with the OrtValues bound to them) from a small pool, keyed by batch size, and
/// returns them after the run, so concurrent calls never share a buffer and sampling steps allocate nothing once warm.
/// </summary>
public sealed class OnnxDenoiser : IDenoiser, IDisposable
{
    private static readonly string[] StepInputNames = ["x", "t", "y"];
    private static readonly string[] EdmInputNames = ["x", ImageDiffiTOnnxMetadata.SigmaInput, "y"];
    private static readonly string[] OutputNames = ["out"];
    /// <summary>Idle buffer sets kept for reuse at most; more (from more concurrent calls) are disposed when returned.</summary>
    private static readonly int MaxIdle = Math.Max(4, Environment.ProcessorCount);

    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly object poolGate = new();
    private readonly List<Bound> idle = [];
    private readonly DiTModelInfo? info;
    private readonly string[] inputNames;
    private int running;
    private bool disposed;

    /// <summary>Opens an exported model.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not an ONNX file, or not a DitML-exported DiT.</exception>
    /// <exception cref="DeviceUnavailableException">A CUDA device asked for and unusable here (says what is missing).</exception>
    public OnnxDenoiser(string modelPath, OnnxDenoiserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"model not found: {modelPath}", modelPath);
        options ??= new OnnxDenoiserOptions();
        try
        {
            session = OnnxSessions.Open(modelPath, options.Device, options.IntraOpThreads, GraphOptimizationLevel.ORT_ENABLE_ALL, out var used);
            Device = used;
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{modelPath}: ONNX Runtime cannot load it: {e.Message}", e);
        }
        try
        {
            var metadata = session.ModelMetadata.CustomMetadataMap;
            if (EdmModelInfo.IsEdm(metadata)) EdmInfo = EdmModelInfo.FromMetadata(metadata, modelPath);
            else info = DiTModelInfo.FromMetadata(metadata, modelPath);
            inputNames = EdmInfo is null ? StepInputNames : EdmInputNames;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Where the session runs: the device asked for, or the CPU where <see cref="OnnxDevice.Auto"/> found no GPU.</summary>
    public OnnxDevice Device { get; }

    /// <summary>The DiT's description from its metadata.</summary>
    /// <exception cref="InvalidOperationException">The model is an EDM model: see <see cref="EdmInfo"/>.</exception>
    public DiTModelInfo Info => info ?? throw new InvalidOperationException("an EDM model (image DiffiT) has no DiT description: read EdmInfo");

    /// <summary>The EDM model's description (its graph takes σ and gives D(x; σ)); null for a DiT.</summary>
    public EdmModelInfo? EdmInfo { get; }

    /// <summary>The classes' names in id order, when the exporter was given them.</summary>
    public IReadOnlyList<string>? ClassNames => EdmInfo is { } e ? e.ClassNames : Info.ClassNames;

    /// <inheritdoc />
    public int Channels => EdmInfo?.Config.InChannels ?? Info.Config.InChannels;

    /// <inheritdoc />
    public int Height => EdmInfo?.Config.ImageSize ?? Info.Config.InputSize;

    /// <inheritdoc />
    public int Width => Height;

    /// <inheritdoc />
    public bool LearnSigma => EdmInfo is null && Info.Config.LearnSigma;

    /// <inheritdoc />
    /// <remarks>An unconditional EDM model counts one class (its graph ignores the label).</remarks>
    public int NumClasses => EdmInfo?.SamplerClasses ?? Info.Config.NumClasses;

    private int OutChannels => EdmInfo?.Config.OutChannels ?? Info.Config.OutChannels;

    /// <inheritdoc />
    /// <remarks>Thread-safe; concurrent calls run concurrently on the one ONNX Runtime session.</remarks>
    /// <exception cref="ArgumentException">The spans' lengths do not describe the same batch.</exception>
    /// <exception cref="ObjectDisposedException">The denoiser was disposed.</exception>
    public void Predict(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> y, Span<float> output)
    {
        int n = y.Length, plane = Channels * Height * Width, outPlane = OutChannels * Height * Width;
        if (n == 0) return;
        if (x.Length != (long)n * plane || t.Length != n || output.Length != (long)n * outPlane)
            throw new ArgumentException($"a batch of {n} rows needs {(long)n * plane} inputs, {n} timesteps and room for {(long)n * outPlane} outputs; got {x.Length}, {t.Length} and {output.Length}");
        var bound = Rent(n, plane, outPlane);
        try
        {
            x.CopyTo(bound.X);
            t.CopyTo(bound.T);
            y.CopyTo(bound.Y);
            session.Run(runOptions, inputNames, bound.Inputs, OutputNames, bound.Outputs);
            bound.Out.AsSpan(0, output.Length).CopyTo(output);
        }
        finally
        {
            Return(bound);
        }
    }

    /// <summary>Disposes the session once no call is running on it; calls after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        List<Bound> free;
        bool last;
        lock (poolGate)
        {
            if (disposed) return;
            disposed = true;
            free = [.. idle];
            idle.Clear();
            last = running == 0;
        }
        foreach (var b in free) b.Dispose();
        if (last) DisposeSession();
    }

    private Bound Rent(int rows, int plane, int outPlane)
    {
        lock (poolGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            running++;
            int i = idle.FindIndex(b => b.Rows == rows);
            if (i >= 0)
            {
                var found = idle[i];
                idle.RemoveAt(i);
                return found;
            }
        }
        try
        {
            return new Bound(rows, plane, outPlane, Channels, OutChannels, Height, Width);
        }
        catch
        {
            Return(null);
            throw;
        }
    }

    private void Return(Bound? bound)
    {
        bool keep, last;
        lock (poolGate)
        {
            running--;
            keep = bound != null && !disposed;
            if (keep)
            {
                if (idle.Count >= MaxIdle)
                {
                    idle[0].Dispose();                                             // the least recently returned
                    idle.RemoveAt(0);
                }
                idle.Add(bound!);
            }
            last = disposed && running == 0;
        }
        if (!keep) bound?.Dispose();
        if (last) DisposeSession();
    }

    private void DisposeSession()
    {
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
