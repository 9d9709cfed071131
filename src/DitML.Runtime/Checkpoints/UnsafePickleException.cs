namespace DitML.Checkpoints;

/// <summary>
/// A checkpoint's pickle asked for something a state_dict never needs (a global outside DitML's allowlist, such as
/// os.system). Pickles can run code, so DitML refuses instead of resolving it.
/// </summary>
public sealed class UnsafePickleException : IOException
{
    /// <summary>Creates the exception for the refused global.</summary>
    public UnsafePickleException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnsafePickleException()
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    public UnsafePickleException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
