using Microsoft.Win32.SafeHandles;

namespace DitML.Onnx;

/// <summary>
/// Where a graph's initializer bytes wait between the exporter producing them and <see cref="OnnxModel.Save"/> writing
/// them: in memory up to a budget, then appended to a spill file in the temp folder (gone when closed). A large model's
/// weights therefore leave managed memory as they are produced, and the writer streams them into the output one at a
/// time: export memory stays near the model's own weights plus the budget, instead of several copies of a protobuf.
/// </summary>
internal sealed class OnnxInitializerStore : IDisposable
{
    private const int CopyChunk = 1 << 20;

    private readonly long memoryBudget;
    private readonly List<byte[]> memory = [];
    private long memoryBytes;
    private SafeFileHandle? spill;
    private long spillLength;

    /// <summary>A store that keeps up to <paramref name="memoryBudget"/> bytes in memory (0 spills everything).</summary>
    public OnnxInitializerStore(long memoryBudget) => this.memoryBudget = memoryBudget;

    /// <summary>One stored tensor's bytes: an index into memory, or an offset into the spill file.</summary>
    public readonly record struct Entry(int MemoryIndex, long Offset, long Length);

    /// <summary>Total bytes stored.</summary>
    public long TotalBytes => memoryBytes + spillLength;

    /// <summary>Copies <paramref name="bytes"/> in and returns where they are.</summary>
    public Entry Add(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (memoryBytes + bytes.Length <= memoryBudget)
        {
            memory.Add(bytes.ToArray());
            memoryBytes += bytes.Length;
            return new Entry(memory.Count - 1, 0, bytes.Length);
        }
        spill ??= OpenSpill();
        long offset = spillLength;
        RandomAccess.Write(spill, bytes, offset);
        spillLength += bytes.Length;
        return new Entry(-1, offset, bytes.Length);
    }

    /// <summary>
    /// A spill file that never outlives the process, however it ends (a model nobody disposes included): on Unix it is
    /// unlinked at once (the open handle keeps its data until it closes); Windows deletes it when the handle closes.
    /// </summary>
    private static SafeFileHandle OpenSpill()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ditml-onnx-{Guid.NewGuid():N}.spill");
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
        if (!OperatingSystem.IsWindows()) File.Delete(path);
        return handle;
    }

    /// <summary>Writes an entry's bytes to <paramref name="destination"/> in chunks (a spilled tensor is never loaded whole).</summary>
    public void CopyTo(Entry entry, Stream destination)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (entry.MemoryIndex >= 0)
        {
            destination.Write(memory[entry.MemoryIndex]);
            return;
        }
        var buffer = new byte[(int)Math.Min(CopyChunk, Math.Max(1, entry.Length))];
        for (long done = 0; done < entry.Length;)
        {
            int n = RandomAccess.Read(spill!, buffer.AsSpan(0, (int)Math.Min(buffer.Length, entry.Length - done)), entry.Offset + done);
            if (n <= 0) throw new IOException("the ONNX initializer spill file ended early");
            destination.Write(buffer, 0, n);
            done += n;
        }
    }

    /// <summary>An entry's bytes as one array.</summary>
    public byte[] Read(Entry entry)
    {
        using var stream = new MemoryStream(checked((int)entry.Length));
        CopyTo(entry, stream);
        return stream.ToArray();
    }

    private bool disposed;

    /// <summary>Closes the spill file (its space is freed).</summary>
    public void Dispose()
    {
        disposed = true;
        spill?.Dispose();
        memory.Clear();
    }
}
