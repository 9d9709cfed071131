using System.Text.Json;

namespace DitML.Diffusion;

/// <summary>The JSON form of <see cref="EdmSettings"/> stored in checkpoints and ONNX metadata.</summary>
public static class EdmSettingsJson
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Serializes the settings.</summary>
    public static string ToJson(EdmSettings settings) => JsonSerializer.Serialize(settings ?? throw new ArgumentNullException(nameof(settings)), Options);

    /// <summary>Reads settings written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">Not EDM settings, naming <paramref name="source"/>.</exception>
    public static EdmSettings FromJson(string json, string source)
    {
        try
        {
            return (JsonSerializer.Deserialize<EdmSettings>(json, Options) ?? throw new InvalidDataException($"{source}: empty EDM settings")).Validate();
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{source}: the EDM settings are not valid: {e.Message}", e);
        }
    }
}
