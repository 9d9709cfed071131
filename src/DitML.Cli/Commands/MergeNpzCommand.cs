using System.CommandLine;
using System.IO.Compression;
using System.Runtime.InteropServices;
using DitML.Numpy;

namespace DitML.Cli.Commands;

/// <summary>
/// `ditml merge-npz`: joins the shards of one `ditml sample --shard I/N` run into the .npz the unsharded run writes, byte
/// for byte, streaming (bounded memory). Every shard of the run must be given once; their order on the command line
/// does not matter (each carries its place).
/// </summary>
internal static class MergeNpzCommand
{
    public static Command Create(TextWriter output)
    {
        var shards = new Argument<FileInfo[]>("shards") { Description = "The .npz shards written by `ditml sample --shard I/N --npz ...`.", Arity = ArgumentArity.OneOrMore };
        var outPath = new Option<FileInfo>("--out") { Description = "The merged .npz (arr_0 uint8 NHWC, the ADM evaluator's layout).", Required = true };
        var command = new Command("merge-npz", "Join the .npz shards of one sharded `ditml sample` run into one file.");
        command.Arguments.Add(shards);
        command.Options.Add(outPath);
        command.SetAction(parse =>
        {
            string target = parse.GetValue(outPath)!.FullName;
            var files = parse.GetValue(shards)!.Select(f => f.FullName).ToArray();
            if (files.Contains(target, StringComparer.Ordinal)) throw new ArgumentException($"--out {target} is one of the shards; write the merged file elsewhere");
            var parts = files.Select(Shard.Read).OrderBy(s => s.Index).ToList();
            var first = parts[0];
            foreach (var p in parts)
            {
                if (p.Count != first.Count || p.Total != first.Total || p.Batch != first.Batch)
                    throw new ArgumentException($"{p.Path} is shard {p.Index}/{p.Count} of a run of {p.Total} rows in batches of {p.Batch}; {first.Path} is of {first.Count} shards, {first.Total} rows, batches of {first.Batch}: not one run");
                if ((p.Height, p.Width, p.Channels) != (first.Height, first.Width, first.Channels))
                    throw new ArgumentException($"{p.Path} holds {p.Height}×{p.Width}×{p.Channels} images; {first.Path} {first.Height}×{first.Width}×{first.Channels}");
            }
            var duplicate = parts.GroupBy(p => p.Index).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null) throw new ArgumentException($"shard {duplicate.Key} is given twice: {string.Join(", ", duplicate.Select(p => p.Path))}");
            var missing = Enumerable.Range(0, (int)Math.Min(first.Count, int.MaxValue)).Select(i => (long)i).Except(parts.Select(p => p.Index)).ToList();
            if (missing.Count > 0 || parts.Count != first.Count)
                throw new ArgumentException($"the run has {first.Count} shards; missing: {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", ..." : "")}");
            long row = 0;
            foreach (var p in parts)
            {
                if (p.FirstRow != row) throw new InvalidDataException($"{p.Path}: shard {p.Index} starts at row {p.FirstRow}, not {row}");
                row += p.Rows;
            }
            if (row != first.Total) throw new InvalidDataException($"the shards hold {row} rows; the run has {first.Total}");

            using (var writer = new NpzImageWriter(target, first.Total, first.Height, first.Width, first.Channels))
            {
                long rowBytes = writer.RowBytes;
                var buffer = new byte[(int)Math.Max(rowBytes, (1 << 22) / rowBytes * rowBytes)];
                foreach (var p in parts)
                {
                    using var zip = ZipFile.OpenRead(p.Path);
                    using var data = zip.GetEntry("arr_0.npy")!.Open();
                    NpyArray.ReadHeader(data, $"{p.Path}:arr_0.npy");
                    long left = p.Rows * rowBytes;
                    while (left > 0)
                    {
                        int chunk = (int)Math.Min(buffer.Length, left);
                        try
                        {
                            data.ReadExactly(buffer, 0, chunk);
                        }
                        catch (EndOfStreamException e)
                        {
                            throw new InvalidDataException($"{p.Path}: arr_0 ends before its {p.Rows} rows", e);
                        }
                        writer.Write(buffer.AsSpan(0, chunk));
                        left -= chunk;
                    }
                }
                writer.Complete();
            }
            output.WriteLine($"wrote {target}: arr_0 uint8 ({first.Total}, {first.Height}, {first.Width}, {first.Channels}) from {parts.Count} shards");
            return 0;
        });
        return command;
    }

    /// <summary>A shard's place in its run (its <c>ditml_shard</c> array) and the geometry of its arr_0.</summary>
    private sealed record Shard(string Path, long Index, long Count, long FirstRow, long Rows, long Total, long Batch, int Height, int Width, int Channels)
    {
        public static Shard Read(string path)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"shard not found: {path}", path);
            try
            {
                using var zip = ZipFile.OpenRead(path);
                var placeEntry = zip.GetEntry(SampleCommand.ShardArray + ".npy")
                    ?? throw new InvalidDataException($"{path} is not a shard of `ditml sample --shard` (no {SampleCommand.ShardArray} array)");
                NpyArray place;
                using (var s = placeEntry.Open()) place = NpyArray.Read(s, $"{path}:{placeEntry.Name}");
                if (place.DType != "<i8" || place.Shape is not [6]) throw new InvalidDataException($"{path}: {SampleCommand.ShardArray} is not 6 int64 values");
                var v = MemoryMarshal.Cast<byte, long>(place.Data);
                var images = zip.GetEntry("arr_0.npy") ?? throw new InvalidDataException($"{path} has no arr_0");
                using var data = images.Open();
                var (dtype, shape) = NpyArray.ReadHeader(data, $"{path}:arr_0.npy");
                if (dtype != "|u1" || shape.Length != 4 || shape[1] is <= 0 or > int.MaxValue || shape[2] is <= 0 or > int.MaxValue || shape[3] is <= 0 or > int.MaxValue)
                    throw new InvalidDataException($"{path}: arr_0 is {dtype} ({string.Join(", ", shape)}), not uint8 images (N, H, W, C)");
                if (shape[0] != v[3]) throw new InvalidDataException($"{path}: arr_0 holds {shape[0]} rows; the shard says {v[3]}");
                if (v[1] < 1 || v[0] < 0 || v[0] >= v[1] || v[2] < 0 || v[3] < 0 || v[4] < 0 || v[5] < 1)
                    throw new InvalidDataException($"{path}: {SampleCommand.ShardArray} [{string.Join(", ", v.ToArray())}] is not a shard's place");
                return new Shard(path, v[0], v[1], v[2], v[3], v[4], v[5], (int)shape[1], (int)shape[2], (int)shape[3]);
            }
            catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{path}: not a readable .npz: {e.Message}", e);
            }
        }
    }
}
