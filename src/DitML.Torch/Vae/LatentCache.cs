using System.Globalization;
using DitML.Checkpoints;
using DitML.Data;
using static TorchSharp.torch;

namespace DitML.Vae;

/// <summary>
/// Latents extracted once and cached, as fast-DiT does, so that training on a latent model never re-encodes an image:
/// one safetensors file holding <c>latents</c> (N, C, h, w, already × the scaling factor) and <c>labels</c> (N). With
/// flips, each image is stored twice (as is and mirrored) — flipping latents is not flipping images, so the trainer's
/// own flip should then be off.
/// </summary>
public static class LatentCache
{
    /// <summary>Encodes every image of <paramref name="images"/> with <paramref name="vae"/> and writes the cache; returns the entries written.</summary>
    /// <param name="vae">The encoder.</param>
    /// <param name="images">Images in [−1, 1] whose sides are multiples of the VAE's downsampling factor.</param>
    /// <param name="path">The .safetensors file to write (written whole, then renamed: never half-written).</param>
    /// <param name="includeFlips">Also store each image mirrored.</param>
    /// <param name="sample">Store posterior samples (fast-DiT) rather than means.</param>
    /// <param name="seed">Seed of the posterior samples.</param>
    /// <param name="batch">Images per encoder call.</param>
    /// <param name="progress">Receives the number of images encoded so far.</param>
    public static int Build(AutoencoderKL vae, IImageDataset images, string path, bool includeFlips = true, bool sample = true,
        long seed = 0, int batch = 32, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(vae);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var c = vae.Config;
        if (images.Channels != c.InChannels) throw new ArgumentException($"the images have {images.Channels} channels; the VAE takes {c.InChannels}");
        if (images.Height % c.DownsampleFactor != 0 || images.Width % c.DownsampleFactor != 0)
            throw new ArgumentException($"the images are {images.Height}×{images.Width}; both sides must be multiples of {c.DownsampleFactor}");
        int plane = images.Channels * images.Height * images.Width;
        int h = images.Height / c.DownsampleFactor, w = images.Width / c.DownsampleFactor, latentPlane = c.LatentChannels * h * w;
        int copies = includeFlips ? 2 : 1, total = images.Count * copies;
        var latents = new float[(long)total * latentPlane];
        var labels = new float[total];
        vae.eval();
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        var pixels = new float[batch * plane];
        for (int start = 0; start < images.Count; start += batch)
        {
            int n = Math.Min(batch, images.Count - start);
            images.CopyImages(start, n, pixels);
            using var x = tensor(pixels.AsSpan(0, n * plane).ToArray(), [n, images.Channels, images.Height, images.Width]);
            for (int copy = 0; copy < copies; copy++)
            {
                using var input = copy == 0 ? x.alias() : x.flip(3);                 // (n, C, H, W), mirrored left–right
                using var z = vae.EncodeLatents(input, generator, sample);           // (n, C', h, w)
                z.data<float>().CopyTo(latents.AsSpan((start + copy * images.Count) * latentPlane, n * latentPlane));
            }
            for (int i = 0; i < n; i++)
                for (int copy = 0; copy < copies; copy++) labels[start + i + copy * images.Count] = images.GetLabel(start + i);
            progress?.Report(start + n);
        }
        string partial = path + ".partial";
        SafeTensorsFile.Write(partial, new Dictionary<string, CheckpointTensor>
        {
            ["latents"] = CheckpointTensor.FromFloat32([total, c.LatentChannels, h, w], latents),
            ["labels"] = CheckpointTensor.FromFloat32([total], labels),
        }, new Dictionary<string, string>
        {
            ["ditml.latent_cache.classes"] = images.ClassCount.ToString(CultureInfo.InvariantCulture),
            ["ditml.latent_cache.scaling_factor"] = c.ScalingFactor.ToString("R", CultureInfo.InvariantCulture),
            ["ditml.latent_cache.flips"] = includeFlips ? "true" : "false",
        });
        File.Move(partial, path, overwrite: true);
        return total;
    }

    /// <summary>Opens a cache as a dataset of latents (what <c>DiTTrainer</c> trains a latent model on).</summary>
    /// <exception cref="InvalidDataException">Not a DitML latent cache.</exception>
    public static InMemoryImageDataset Open(string path)
    {
        var contents = SafeTensorsFile.Read(path);
        if (!contents.Tensors.TryGetValue("latents", out var latents) || !contents.Tensors.TryGetValue("labels", out var labels)
            || !contents.Metadata.TryGetValue("ditml.latent_cache.classes", out var classes) || latents.Shape.Length != 4)
            throw new InvalidDataException($"{path}: not a DitML latent cache (needs 'latents' (N, C, h, w), 'labels' (N) and its metadata)");
        var s = latents.Shape;
        return new InMemoryImageDataset(latents.ToFloat32(), labels.ToFloat32().Select(l => (int)l).ToArray(), (int)s[1], (int)s[2], (int)s[3],
            int.Parse(classes, CultureInfo.InvariantCulture));
    }
}
