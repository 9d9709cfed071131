using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DitML.Onnx;

/// <summary>
/// A VAE decoder exported by DitML (<c>VaeOnnxExporter.ExportDecoder</c>) on ONNX Runtime: latents (N, C, h, w) →
/// pixels (N, C_out, f·h, f·w) in [−1, 1] (clamped). What turns a latent DiT's samples into images, without libtorch.
/// </summary>
public sealed class OnnxVaeDecoder : IDisposable
{
    private readonly InferenceSession session;

    /// <summary>Opens the decoder and reads its geometry from the graph's metadata.</summary>
    /// <exception cref="FileNotFoundException">Naming the file.</exception>
    /// <exception cref="InvalidDataException">Not a VAE decoder exported by DitML.</exception>
    /// <exception cref="DeviceUnavailableException">A CUDA device asked for and unusable here.</exception>
    /// <param name="path">The exported decoder.</param>
    /// <param name="threads">ONNX Runtime intra-op threads (0: one per core).</param>
    /// <param name="device">Where it runs (null: the CPU; see <see cref="OnnxDevice"/>).</param>
    public OnnxVaeDecoder(string path, int threads = 0, OnnxDevice? device = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"VAE decoder not found: {path}", path);
        session = OnnxSessions.Open(path, device, threads, GraphOptimizationLevel.ORT_ENABLE_ALL, out var used);
        Device = used;
        try
        {
            var meta = session.ModelMetadata.CustomMetadataMap;
            if (!meta.TryGetValue(VaeOnnxMetadata.Config, out var json) || !session.InputMetadata.ContainsKey("latents"))
                throw new InvalidDataException($"{path}: not a VAE decoder exported by DitML (needs input 'latents' and 'ditml.vae.config' metadata)");
            using var config = JsonDocument.Parse(json);
            var root = config.RootElement;
            LatentChannels = root.GetProperty("latent_channels").GetInt32();
            OutChannels = root.GetProperty("out_channels").GetInt32();
            Factor = 1 << (root.GetProperty("block_out_channels").GetArrayLength() - 1);
            ScaledLatents = !meta.TryGetValue(VaeOnnxMetadata.ScaledLatents, out var scaled) || scaled == "true";
            ScalingFactor = meta.TryGetValue(VaeOnnxMetadata.ScalingFactor, out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : 0.18215;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Where the session runs.</summary>
    public OnnxDevice Device { get; }

    /// <summary>Channels of the latents.</summary>
    public int LatentChannels { get; }

    /// <summary>Channels of the images.</summary>
    public int OutChannels { get; }

    /// <summary>Upsampling factor from latents to pixels.</summary>
    public int Factor { get; }

    /// <summary>True when the graph takes latents already multiplied by the scaling factor (what a latent DiT samples).</summary>
    public bool ScaledLatents { get; }

    /// <summary>The VAE's scaling factor.</summary>
    public double ScalingFactor { get; }

    /// <summary>Decodes <paramref name="n"/> latents of (C, h, w) into <paramref name="pixels"/> (n × C_out × f·h × f·w), clamped to [−1, 1].</summary>
    public void Decode(ReadOnlySpan<float> latents, int n, int height, int width, Span<float> pixels)
    {
        int size = LatentChannels * height * width;
        if (latents.Length != n * size)
            throw new ArgumentException($"{latents.Length} latent values are not {n} × {LatentChannels}×{height}×{width}");
        var values = latents.ToArray();
        // A decoder exported for unscaled latents gets the DiT's scaled samples divided back.
        if (!ScaledLatents) for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] / ScalingFactor);
        var input = new DenseTensor<float>(values, [n, LatentChannels, height, width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("latents", input)]);
        int i2 = 0;
        foreach (float v in results.First(r => r.Name == "pixels").AsEnumerable<float>()) pixels[i2++] = Math.Clamp(v, -1f, 1f);
        if (i2 != n * OutChannels * height * Factor * width * Factor)
            throw new InvalidDataException($"the decoder returned {i2} values, not {n} × {OutChannels}×{height * Factor}×{width * Factor}");
    }

    /// <inheritdoc/>
    public void Dispose() => session.Dispose();
}
