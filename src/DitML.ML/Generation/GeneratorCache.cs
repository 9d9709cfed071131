using DitML.Generation;

namespace DitML.ML.Generation;

/// <summary>
/// The generators of loaded DiffusionGenerate pipelines, keyed by their spec, opened on first use. At most
/// <c>capacity</c> stay open: the least recently used is disposed (after any generation running on it finishes) when
/// another is opened, and every one when the process exits. One generation at a time runs on each generator.
/// </summary>
internal sealed class GeneratorCache
{
    private readonly int capacity;
    private readonly Func<string, IImageGenerator> open;
    private readonly object gate = new();
    private readonly LinkedList<Entry> recent = new();                           // most recently used first
    private readonly Dictionary<string, LinkedListNode<Entry>> entries = new(StringComparer.Ordinal);

    /// <param name="capacity">Generators kept open at most.</param>
    /// <param name="open">Opens a spec's generator (default: <see cref="GenerationSpec.Open"/> of the Base64 spec).</param>
    public GeneratorCache(int capacity, Func<string, IImageGenerator>? open = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.capacity = capacity;
        this.open = open ?? (spec => GenerationSpec.FromBase64(spec).Open());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Clear();
    }

    /// <summary>Runs <paramref name="action"/> on the generator of <paramref name="spec"/>, alone on that generator.</summary>
    public void Use(string spec, Action<IImageGenerator> action)
    {
        while (true)
        {
            Entry entry;
            List<Entry> evicted = [];
            lock (gate)
            {
                if (entries.TryGetValue(spec, out var node)) recent.Remove(node);
                else node = entries[spec] = new LinkedListNode<Entry>(new Entry(spec, open));
                recent.AddFirst(node);
                entry = node.Value;
                while (recent.Count > capacity)
                {
                    var last = recent.Last!;
                    recent.RemoveLast();
                    entries.Remove(last.Value.Spec);
                    evicted.Add(last.Value);
                }
            }
            foreach (var old in evicted) old.Dispose();
            lock (entry)
            {
                if (entry.IsDisposed) continue;                                   // evicted between lookup and use: reopen
                action(entry.Generator);
                return;
            }
        }
    }

    /// <summary>Disposes every open generator.</summary>
    public void Clear()
    {
        List<Entry> all;
        lock (gate)
        {
            all = [.. recent];
            recent.Clear();
            entries.Clear();
        }
        foreach (var entry in all) entry.Dispose();
    }

    private sealed class Entry(string spec, Func<string, IImageGenerator> open)
    {
        private IImageGenerator? generator;

        public string Spec { get; } = spec;

        public bool IsDisposed { get; private set; }

        /// <summary>Opened on first use; call under this entry's lock.</summary>
        public IImageGenerator Generator => generator ??= open(Spec);

        public void Dispose()
        {
            lock (this)
            {
                IsDisposed = true;
                (generator as IDisposable)?.Dispose();
                generator = null;
            }
        }
    }
}
