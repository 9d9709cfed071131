using System.Diagnostics;
using System.Globalization;

namespace DitML.Training;

/// <summary>
/// Keeps a run folder to one trainer: <c>train.lock</c>, held open exclusively (an OS lock, released by the OS when the
/// process dies), with the owner's process id beside it in <c>train.lock.owner</c> (the locked file itself cannot be
/// read by others). A second trainer is refused at once; a lock file left by a dead process is not locked any more and
/// is simply taken over.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>File name of the lock in a run folder.</summary>
    public const string FileName = "train.lock";

    /// <summary>File name of the owner's process id, beside the lock.</summary>
    public const string OwnerFileName = "train.lock.owner";

    private readonly FileStream stream;

    private RunFolderLock(FileStream stream, string path)
    {
        this.stream = stream;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Takes the lock of <paramref name="runDirectory"/> (which must exist).</summary>
    /// <exception cref="RunFolderLockedException">Another trainer holds it.</exception>
    public static RunFolderLock Acquire(string runDirectory)
    {
        string path = System.IO.Path.Combine(runDirectory, FileName);
        FileStream stream;
        try
        {
            // FileShare.None is an exclusive lock on every OS .NET runs on (flock on Unix, a share mode on Windows).
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new RunFolderLockedException(
                $"{runDirectory} is in use by another trainer ({Owner(path + ".owner")}; {path}); wait for it to finish or stop it", e);
        }
        try
        {
            File.WriteAllText(System.IO.Path.Combine(runDirectory, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new RunFolderLock(stream, path);
    }

    /// <summary>Releases the lock and removes the file.</summary>
    public void Dispose()
    {
        // Deleted while still held, so that no other trainer can take it in between and lose its file.
        try
        {
            File.Delete(Path + ".owner");
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Left behind, it is not locked: the next trainer takes it over.
        }
        stream.Dispose();
    }

    private static string Owner(string path)
    {
        try
        {
            string text = File.ReadAllText(path).Trim();
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid) ? $"process {pid}{Name(pid)}" : "a process";
        }
        catch (IOException)
        {
            return "a process";
        }
    }

    private static string Name(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return $" ({process.ProcessName})";
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return "";
        }
    }
}
