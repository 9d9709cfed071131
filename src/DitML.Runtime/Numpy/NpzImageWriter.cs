using System.IO.Compression;

namespace DitML.Numpy;

/// <summary>
/// Streams uint8 images (N, H, W, C) into an .npz under <c>arr_0</c> (the ADM evaluator's layout) a few rows at a time,
/// in bounded memory, whatever N (ZIP64 past 4 GB). The file is written as <c>&lt;path&gt;.partial</c> and moved into
/// place by <see cref="Complete"/> once all N rows are in; disposing it before that deletes the partial file, so nothing
/// half-written is left. Entries carry a fixed timestamp: the same rows give the same bytes.
/// </summary>
public sealed class NpzImageWriter : IDisposable
{
    /// <summary>The timestamp of every entry (the earliest a ZIP file can hold), so output is reproducible byte for byte.</summary>
    public static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string path;
    private readonly string temp;
    private readonly FileStream file;
    private readonly ZipArchive zip;
    private readonly IReadOnlyList<(string Name, long[] Values)> extra;
    private Stream? entry;
    private long rowsWritten;
    private bool completed;

    /// <summary>Creates <c>&lt;path&gt;.partial</c> and writes the header of <paramref name="count"/> images.</summary>
    /// <param name="path">The .npz to write.</param>
    /// <param name="count">Images the file will hold.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="channels">Image channels.</param>
    /// <param name="extra">int64 arrays written after <c>arr_0</c> (e.g. a shard's place in its run).</param>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive size, or more bytes than a file can hold.</exception>
    public NpzImageWriter(string path, long count, int height, int width, int channels, IReadOnlyList<(string Name, long[] Values)>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        RowBytes = (long)height * width * channels;
        if (count > 0 && RowBytes > long.MaxValue / count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{count} images of {height}×{width}×{channels} bytes do not fit in a file");
        Count = count;
        this.extra = extra ?? [];
        this.path = path;
        temp = path + ".partial";
        file = File.Create(temp);
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            var e = zip.CreateEntry("arr_0.npy", CompressionLevel.NoCompression);
            e.LastWriteTime = EntryTime;
            entry = e.Open();
            NpyWriter.Write(entry, [], "|u1", [count, height, width, channels]);
        }
        catch
        {
            file.Dispose();
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Images the file holds once complete.</summary>
    public long Count { get; }

    /// <summary>Bytes of one image (H·W·C).</summary>
    public long RowBytes { get; }

    /// <summary>Appends whole images (H, W, C bytes each).</summary>
    public void Write(ReadOnlySpan<byte> rows)
    {
        ObjectDisposedException.ThrowIf(entry is null, this);
        if (rows.Length % RowBytes != 0) throw new ArgumentException($"{rows.Length} bytes are not whole images of {RowBytes} bytes", nameof(rows));
        long n = rows.Length / RowBytes;
        if (rowsWritten + n > Count) throw new InvalidOperationException($"the file holds {Count} images; {rowsWritten + n} were written");
        entry.Write(rows);
        rowsWritten += n;
    }

    /// <summary>Checks that all images were written, closes the archive and moves it to its path.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(entry is null, this);
        if (rowsWritten != Count) throw new InvalidOperationException($"{rowsWritten} of {Count} images were written");
        entry.Dispose();
        entry = null;
        foreach (var (name, values) in extra)
        {
            var e = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
            e.LastWriteTime = EntryTime;
            using var s = e.Open();
            NpyWriter.Write(s, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), "<i8", [values.Length]);
        }
        zip.Dispose();
        file.Dispose();
        File.Move(temp, path, overwrite: true);
        completed = true;
    }

    /// <summary>Closes the file; unless <see cref="Complete"/> ran, deletes the partial file.</summary>
    public void Dispose()
    {
        if (completed) return;
        try
        {
            entry?.Dispose();
            entry = null;
            zip.Dispose();
        }
        catch (IOException)
        {
            // the partial file is deleted below either way
        }
        catch (InvalidDataException)
        {
            // an incomplete entry cannot be finished; it is deleted below
        }
        file.Dispose();
        File.Delete(temp);
        completed = true;
    }
}
