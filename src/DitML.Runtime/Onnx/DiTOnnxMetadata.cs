namespace DitML.Onnx;

/// <summary>Metadata keys DitML writes into exported models, read back by the ONNX Runtime sampler.</summary>
public static class DiTOnnxMetadata
{
    /// <summary>The DiT config as JSON (see DiTConfig.ToJson); the same key names the config in a DiT safetensors checkpoint.</summary>
    public const string Config = "ditml.config";

    /// <summary>The training noise schedule, e.g. "linear".</summary>
    public const string Schedule = "ditml.schedule";

    /// <summary>Training diffusion steps, e.g. "1000".</summary>
    public const string DiffusionSteps = "ditml.diffusion_steps";

    /// <summary>The model's <see cref="DitML.Models.ModelSpace"/>: "latent" (needs a VAE decoder) or "pixel".</summary>
    public const string Space = "ditml.space";

    /// <summary>Latent scale factor (0.18215 for SD-VAE latents).</summary>
    public const string LatentScale = "ditml.latent_scale";

    /// <summary>Number of classes (the null class is this id).</summary>
    public const string NumClasses = "ditml.num_classes";

    /// <summary>The classes' names as a JSON array of strings, class id order (optional).</summary>
    public const string ClassNames = "ditml.class_names";

    /// <summary>Default guidance scale recommended for the model.</summary>
    public const string GuidanceScale = "ditml.guidance_scale";

    /// <summary>How the weights are stored and computed: "fp32" or "int8" (<see cref="OnnxPrecision"/>); absent means fp32.</summary>
    public const string Precision = "ditml.precision";
}
