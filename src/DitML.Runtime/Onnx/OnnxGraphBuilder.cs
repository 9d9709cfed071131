using System.Globalization;
using System.Runtime.InteropServices;
using DitML.Onnx.Proto;
using Google.Protobuf;

namespace DitML.Onnx;

/// <summary>
/// Builds an ONNX graph: inputs and outputs (dynamic dimensions by name), initializers, and nodes with attributes.
/// Names are made unique by the builder. Op helpers cover what a transformer needs; <see cref="Node"/> adds any other.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The opset DitML targets (LayerNormalization is in; Gelu is not, so GELU is composed).</summary>
    public const int Opset = 17;

    /// <summary>The IR version written.</summary>
    public const int IrVersion = 8;

    /// <summary>Initializer bytes a builder keeps in memory before it spills the rest to a temp file (64 MiB).</summary>
    public const long DefaultInMemoryInitializerBytes = 64L << 20;

    private readonly GraphProto graph;
    private readonly Dictionary<string, int> counters = [];
    private readonly Dictionary<string, string> constants = [];
    private readonly List<OnnxModel.Initializer> initializers = [];
    private readonly OnnxInitializerStore store;

    /// <summary>Starts a graph.</summary>
    /// <param name="name">The graph's name.</param>
    /// <param name="inMemoryInitializerBytes">
    /// Initializer bytes kept in memory; those added past it go to a temp spill file as they are produced, so exporting
    /// a large model holds about one tensor at a time (0 spills everything).
    /// </param>
    public OnnxGraphBuilder(string name = "ditml", long inMemoryInitializerBytes = DefaultInMemoryInitializerBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inMemoryInitializerBytes);
        graph = new GraphProto { Name = name };
        store = new OnnxInitializerStore(inMemoryInitializerBytes);
    }

    /// <summary>Declares a graph input; a dimension is a number or a name (dynamic, e.g. "N").</summary>
    public string Input(string name, OnnxElementType type, params object[] dims)
    {
        graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares a graph output, produced by renaming <paramref name="value"/>.</summary>
    public void Output(string name, string value, OnnxElementType type, params object[] dims)
    {
        graph.Node.Add(NewNode("Identity", [value], [name], null));
        graph.Output.Add(ValueInfo(name, type, dims));
    }

    /// <summary>Adds a float32 initializer (row-major) and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims) =>
        AddInitializer(Unique(name), OnnxElementType.Float, MemoryMarshal.AsBytes(values), dims);

    /// <summary>Adds an int64 initializer and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<long> values, params long[] dims) =>
        AddInitializer(Unique(name), OnnxElementType.Int64, MemoryMarshal.AsBytes(values), dims);

    /// <summary>Adds an int8 initializer (quantized weights) and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<sbyte> values, params long[] dims) =>
        AddInitializer(Unique(name), OnnxElementType.Int8, MemoryMarshal.AsBytes(values), dims);

    /// <summary>A shared 1-D int64 constant (shapes, axes, split sizes).</summary>
    public string Ints(params long[] values)
    {
        string key = "i:" + string.Join(",", values);
        if (!constants.TryGetValue(key, out var name))
            constants[key] = name = Initializer("const", values, values.Length);
        return name;
    }

    /// <summary>A shared int64 scalar constant (a Gather index that drops the axis).</summary>
    public string Index(long value)
    {
        string key = "s:" + value.ToString(CultureInfo.InvariantCulture);
        if (!constants.TryGetValue(key, out var name))
            constants[key] = name = Initializer("index", [value]);
        return name;
    }

    /// <summary>A shared float32 vector of one repeated value (e.g. a LayerNorm scale of ones).</summary>
    public string Filled(float value, int length)
    {
        string key = $"v:{value.ToString("R", CultureInfo.InvariantCulture)}x{length}";
        if (!constants.TryGetValue(key, out var name))
            constants[key] = name = Initializer("const", Enumerable.Repeat(value, length).ToArray(), length);
        return name;
    }

    /// <summary>A shared float32 scalar constant.</summary>
    public string Scalar(float value)
    {
        string key = "f:" + value.ToString("R", CultureInfo.InvariantCulture);
        if (!constants.TryGetValue(key, out var name))
            constants[key] = name = Initializer("const", [value]);
        return name;
    }

    /// <summary>Adds a node with one output; returns the output's name.</summary>
    /// <remarks><paramref name="domain"/> names a non-standard operator set (e.g. ONNX Runtime's "com.microsoft");
    /// the model then imports it at version 1.</remarks>
    public string Node(string opType, string[] inputs, IReadOnlyDictionary<string, object>? attributes = null, string domain = "") =>
        Nodes(opType, inputs, 1, attributes, domain)[0];

    /// <summary>Adds a node with several outputs; returns their names.</summary>
    public string[] Nodes(string opType, string[] inputs, int outputs, IReadOnlyDictionary<string, object>? attributes = null, string domain = "")
    {
        var names = Enumerable.Range(0, outputs).Select(_ => Unique(opType.ToLowerInvariant())).ToArray();
        var node = NewNode(opType, inputs, names, attributes);
        if (domain.Length > 0)
        {
            node.Domain = domain;
            domains.Add(domain);
        }
        graph.Node.Add(node);
        return names;
    }

    private float[] scratch = [];
    private readonly SortedSet<string> domains = new(StringComparer.Ordinal);

    /// <summary>Adds a metadata property to the model.</summary>
    public OnnxGraphBuilder Metadata(string key, string value)
    {
        metadata[key] = value;
        return this;
    }

    private readonly Dictionary<string, string> metadata = [];

    /// <summary>The finished model (opset 17, IR 8); it owns the initializers' bytes (and spill file) from here on.</summary>
    public OnnxModel Build(string producer = "DitML")
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = producer,
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var domain in domains) model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = 1 });
        foreach (var (k, v) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return new OnnxModel(model, [.. initializers], store);
    }

    // ---- op helpers ----

    /// <summary>a + b.</summary>
    public string Add(string a, string b) => Node("Add", [a, b]);

    /// <summary>a − b.</summary>
    public string Sub(string a, string b) => Node("Sub", [a, b]);

    /// <summary>a · b (elementwise).</summary>
    public string Mul(string a, string b) => Node("Mul", [a, b]);

    /// <summary>a / b (elementwise).</summary>
    public string Div(string a, string b) => Node("Div", [a, b]);

    /// <summary>Matrix product with broadcasting.</summary>
    public string MatMul(string a, string b) => Node("MatMul", [a, b]);

    /// <summary>x reshaped; 0 keeps a dimension, −1 infers one.</summary>
    public string Reshape(string x, params long[] shape) => Node("Reshape", [x, Ints(shape)]);

    /// <summary>x with dimensions permuted.</summary>
    public string Transpose(string x, params long[] perm) => Node("Transpose", [x], new Dictionary<string, object> { ["perm"] = perm });

    /// <summary>Concatenation along an axis.</summary>
    public string Concat(long axis, params string[] inputs) => Node("Concat", inputs, new Dictionary<string, object> { ["axis"] = axis });

    /// <summary>Equal parts of x along an axis (opset 13+: sizes as an input).</summary>
    public string[] Split(string x, long axis, params long[] sizes) =>
        Nodes("Split", [x, Ints(sizes)], sizes.Length, new Dictionary<string, object> { ["axis"] = axis });

    /// <summary>x[starts:ends] along the axes.</summary>
    public string Slice(string x, long[] starts, long[] ends, long[] axes) => Node("Slice", [x, Ints(starts), Ints(ends), Ints(axes)]);

    /// <summary>x with size-1 dimensions inserted.</summary>
    public string Unsqueeze(string x, params long[] axes) => Node("Unsqueeze", [x, Ints(axes)]);

    /// <summary>Rows of <paramref name="data"/> picked by <paramref name="indices"/> along an axis.</summary>
    public string Gather(string data, string indices, long axis = 0) => Node("Gather", [data, indices], new Dictionary<string, object> { ["axis"] = axis });

    /// <summary>Softmax along an axis.</summary>
    public string Softmax(string x, long axis = -1) => Node("Softmax", [x], new Dictionary<string, object> { ["axis"] = axis });

    /// <summary>x·sigmoid(x).</summary>
    public string SiLU(string x) => Mul(x, Node("Sigmoid", [x]));

    /// <summary>GELU with the tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    public string GeluTanh(string x)
    {
        var cube = Mul(Mul(x, x), x);
        var inner = Mul(Add(x, Mul(cube, Scalar(0.044715f))), Scalar((float)Math.Sqrt(2 / Math.PI)));
        return Mul(Mul(x, Scalar(0.5f)), Add(Node("Tanh", [inner]), Scalar(1f)));
    }

    /// <summary>LayerNormalization over the last axis (opset 17) with the given scale and bias initializers.</summary>
    public string LayerNorm(string x, string scale, string? bias, float epsilon) =>
        Node("LayerNormalization", bias == null ? [x, scale] : [x, scale, bias],
            new Dictionary<string, object> { ["axis"] = -1L, ["epsilon"] = epsilon });

    /// <summary>x·W + b for a PyTorch Linear of weight (out, in) and optional bias (out).</summary>
    public string Linear(string x, string prefix, ReadOnlySpan<float> weight, int inFeatures, int outFeatures, ReadOnlySpan<float> bias)
    {
        // One scratch buffer for every layer (the store copies the bytes): a large export would otherwise leave one
        // garbage array per layer for the GC to find.
        if (scratch.Length < weight.Length) scratch = new float[weight.Length];
        for (int o = 0; o < outFeatures; o++)
            for (int i = 0; i < inFeatures; i++) scratch[i * outFeatures + o] = weight[o * inFeatures + i];
        var w = Initializer(prefix + ".weight", scratch.AsSpan(0, weight.Length), inFeatures, outFeatures);
        var y = MatMul(x, w);
        return bias.IsEmpty ? y : Add(y, Initializer(prefix + ".bias", bias, outFeatures));
    }

    /// <summary>
    /// x·W + b with W stored as int8 (<see cref="Int8Quantization.PerOutputChannel"/>) and x quantized per call:
    /// DynamicQuantizeLinear (uint8, one scale and zero point for the tensor), MatMulInteger (u8×s8 → int32), Cast, and
    /// one multiply by x's scale times each output channel's scale. ONNX Runtime fuses this chain (as its own dynamic
    /// quantization tool writes it) into one integer-GEMM kernel; the ops are all standard ONNX, so any runtime runs it.
    /// </summary>
    public string LinearInt8(string x, string prefix, ReadOnlySpan<float> weight, int inFeatures, int outFeatures, ReadOnlySpan<float> bias)
    {
        var (q, scales) = Int8Quantization.PerOutputChannel(weight, inFeatures, outFeatures);
        var quantized = Nodes("DynamicQuantizeLinear", [x], 3);                 // x as uint8, its scale, its zero point
        var products = Node("MatMulInteger", [quantized[0], Initializer(prefix + ".weight_int8", q, inFeatures, outFeatures), quantized[2]]);
        var scale = Mul(quantized[1], Initializer(prefix + ".weight_scale", scales, outFeatures));
        var y = Mul(Node("Cast", [products], new Dictionary<string, object> { ["to"] = (long)OnnxElementType.Float }), scale);
        return bias.IsEmpty ? y : Add(y, Initializer(prefix + ".bias", bias, outFeatures));
    }

    /// <summary>The shape of x as a 1-D int64 tensor.</summary>
    public string Shape(string x) => Node("Shape", [x]);

    /// <summary>
    /// A 2-D convolution (NCHW) with a square kernel; <paramref name="pads"/> is ONNX's [top, left, bottom, right]
    /// (zeros), symmetric <c>kernel / 2</c> when null.
    /// </summary>
    public string Conv(string x, string weight, string? bias, long kernel, long stride = 1, long[]? pads = null)
    {
        long p = kernel / 2;
        return Node("Conv", bias == null ? [x, weight] : [x, weight, bias], new Dictionary<string, object>
        {
            ["kernel_shape"] = new[] { kernel, kernel },
            ["strides"] = new[] { stride, stride },
            ["pads"] = pads ?? [p, p, p, p],
        });
    }

    /// <summary>
    /// GroupNorm of x (N, C, …) as PyTorch computes it (biased variance per sample and group), from primitives since
    /// opset 17 has no GroupNormalization: reshape to (N, G, −1), InstanceNormalization, reshape back, then the affine
    /// <paramref name="scale"/> and <paramref name="bias"/> (initializers shaped (C, 1, 1) for 4-D x).
    /// </summary>
    public string GroupNorm(string x, int groups, string scale, string bias, float epsilon)
    {
        var grouped = Reshape(x, 0, groups, -1);
        var normed = Node("InstanceNormalization", [grouped, Filled(1f, groups), Filled(0f, groups)],
            new Dictionary<string, object> { ["epsilon"] = epsilon });
        var restored = Node("Reshape", [normed, Shape(x)]);
        return Add(Mul(restored, scale), bias);
    }

    /// <summary>Nearest-neighbour upsampling of x (N, C, H, W) by an integer factor, as PyTorch's interpolate (floor(dst / s)).</summary>
    public string UpsampleNearest(string x, int factor) =>
        Node("Resize", [x, "", Initializer("scales", [1f, 1f, factor, factor], 4)], new Dictionary<string, object>
        {
            ["mode"] = "nearest",
            ["coordinate_transformation_mode"] = "asymmetric",
            ["nearest_mode"] = "floor",
        });

    private string AddInitializer(string name, OnnxElementType type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        var header = new TensorProto { Name = name, DataType = (int)type };
        header.Dims.AddRange(dims);
        initializers.Add(new OnnxModel.Initializer(header, store.Add(bytes)));
        return name;
    }

    private string Unique(string prefix)
    {
        counters.TryGetValue(prefix, out int n);
        counters[prefix] = n + 1;
        return n == 0 ? prefix : $"{prefix}_{n}";
    }

    private static NodeProto NewNode(string opType, string[] inputs, string[] outputs, IReadOnlyDictionary<string, object>? attributes)
    {
        var node = new NodeProto { OpType = opType, Name = outputs[0] + "_node" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (name, value) in attributes ?? new Dictionary<string, object>())
            node.Attribute.Add(Attribute(name, value));
        return node;
    }

    private static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
            case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
            case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
            case double d: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)d; break;
            case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
            case long[] ls: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ls); break;
            case float[] fs: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(fs); break;
            default: throw new ArgumentException($"attribute '{name}' has unsupported type {value.GetType().Name}", nameof(value));
        }
        return a;
    }

    private static ValueInfoProto ValueInfo(string name, OnnxElementType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                int i => new TensorShapeProto.Types.Dimension { DimValue = i },
                long l => new TensorShapeProto.Types.Dimension { DimValue = l },
                _ => throw new ArgumentException($"dimension {d} must be a number or a name", nameof(dims)),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
