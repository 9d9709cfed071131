using System.Reflection;
using DitML.Onnx;
using Microsoft.ML;

namespace DitML.ML.Onnx;

/// <summary>
/// The device an ML.NET context asks ONNX transforms to use: <c>mlContext.GpuDeviceId</c> and <c>FallbackToCpu</c>, as
/// ML.NET's own <c>ApplyOnnxModel</c> reads them when given no device. ML.NET keeps a catalog's context internal, so
/// this reads it by reflection; where that fails (another ML.NET), a context's setting is simply not seen.
/// </summary>
internal static class ContextDevice
{
    private static readonly FieldInfo? Environment = typeof(TransformsCatalog).GetField("_env", BindingFlags.NonPublic | BindingFlags.Instance);

    /// <summary>The context's device, or null when it names no GPU.</summary>
    public static OnnxDevice? Of(TransformsCatalog catalog) => Of(Environment?.GetValue(catalog));

    /// <summary>The device of an MLContext (or its environment), or null when it names no GPU.</summary>
    public static OnnxDevice? Of(object? context)
    {
        if (context is null) return null;
        var type = context.GetType();
        if (type.GetProperty("GpuDeviceId")?.GetValue(context) is not int id) return null;
        bool fallback = type.GetProperty("FallbackToCpu")?.GetValue(context) is true;
        return OnnxDevice.FromMLNet(id, fallback);
    }
}
