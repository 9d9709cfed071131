using DitML.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace DitML.ML.Generation;

/// <summary>
/// Turns the ML.NET-native chains a saved DiffusionGenerate becomes (see <see cref="PersistedGeneration"/>) back into the
/// batched <see cref="DiffusionGenerateTransformer"/> they were saved from, checking each model file as it goes: what
/// <c>mlContext.Generation().LoadModel</c> does after ML.NET's own <c>Model.Load</c>, which runs no DitML code.
/// </summary>
internal static class PipelineRestoration
{
    /// <summary>
    /// <paramref name="model"/> with every restorable saved generation replaced by its transformer; other transformers
    /// are kept as loaded. <paramref name="inputSchema"/> is the schema the model was saved with; a non-null
    /// <paramref name="device"/> replaces the device each generation was saved with.
    /// </summary>
    /// <exception cref="FileNotFoundException">A generation's model file is missing.</exception>
    /// <exception cref="InvalidDataException">A generation's model file changed since the pipeline was saved.</exception>
    public static ITransformer Restore(ITransformer model, DataViewSchema inputSchema, OnnxDevice? device = null)
    {
        if (model is not TransformerChain<ITransformer> chain) return model;
        if (TryRestoreGeneration(chain, inputSchema, device) is { } generation) return generation;
        var elements = chain.ToArray();
        var restored = new ITransformer[elements.Length];
        var schema = inputSchema;
        bool changed = false;
        for (int i = 0; i < restored.Length; i++)
        {
            restored[i] = Restore(elements[i], schema, device);
            changed |= !ReferenceEquals(restored[i], elements[i]);
            schema = elements[i].GetOutputSchema(schema);
        }
        return changed ? new TransformerChain<ITransformer>(restored, Scopes(chain, elements)) : model;
    }

    /// <summary>
    /// The scope of each element of <paramref name="chain"/> (training, testing, scoring), read through the public
    /// <c>GetModelFor</c>: ML.NET keeps the scopes themselves internal.
    /// </summary>
    private static TransformerScope[] Scopes(TransformerChain<ITransformer> chain, ITransformer[] elements)
    {
        var scopes = new TransformerScope[elements.Length];
        foreach (var flag in new[] { TransformerScope.Training, TransformerScope.Testing, TransformerScope.Scoring })
        {
            var members = chain.GetModelFor(flag).ToHashSet(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < elements.Length; i++)
                if (members.Contains(elements[i])) scopes[i] |= flag;
        }
        return scopes;
    }

    /// <summary>The generation <paramref name="chain"/> was saved from, or null when it is not a restorable saved generation.</summary>
    private static DiffusionGenerateTransformer? TryRestoreGeneration(TransformerChain<ITransformer> chain, DataViewSchema inputSchema, OnnxDevice? device)
    {
        var elements = chain.ToArray();
        int mapping = Array.FindIndex(elements, t => t is CustomMappingTransformer<SizedGenerationInput, SizedGenerationOutput>);
        if (mapping < 0) return null;
        var spec = ReadSpec(elements.AsSpan(0, mapping).ToArray(), inputSchema);
        if (spec.Columns is null) return null;                                   // saved before columns were kept: generates row by row
        if (device is not null) spec = spec with { Device = device.ToString() };
        var options = spec.Columns.ToOptions();
        var generator = spec.Open();                                             // a missing or changed model file fails here, at load
        try
        {
            var transformer = new DiffusionGenerateTransformer(generator, options, ownsGenerator: true, spec with { Columns = null }, inputSchema);
            transformer.GetOutputSchema(inputSchema);
            return transformer;
        }
        catch
        {
            (generator as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The spec the Expression column of a saved generation holds, read by running its first transforms on one row.</summary>
    private static GenerationSpec ReadSpec(ITransformer[] head, DataViewSchema inputSchema)
    {
        IDataView view = new DefaultRowsDataView(inputSchema, rowCount: 1);
        foreach (var t in head) view = t.Transform(view);
        var text = view.GetColumn<ReadOnlyMemory<char>>(PersistedGeneration.SpecColumn).Single();
        return GenerationSpec.FromBase64(text.ToString());
    }
}
