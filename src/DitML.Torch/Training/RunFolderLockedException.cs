namespace DitML.Training;

/// <summary>A run folder is in use by another trainer (see <see cref="RunFolderLock"/>).</summary>
public sealed class RunFolderLockedException : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    public RunFolderLockedException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
