namespace DitML.Cli;

/// <summary>Which exceptions are the user's input at fault (shown as one line, exit code 2, no stack trace).</summary>
internal static class UserError
{
    public static bool IsUserError(Exception e) => e is ArgumentException or InvalidDataException or DirectoryNotFoundException or DitML.Checkpoints.UnsafePickleException or FileNotFoundException
        or DirectoryNotFoundException or NotSupportedException or FormatException or UnauthorizedAccessException
        or DitML.Training.RunFolderLockedException or DitML.Onnx.DeviceUnavailableException;

    public static string Describe(Exception e) => e switch
    {
        FileNotFoundException f when f.FileName != null && !f.Message.Contains(f.FileName, StringComparison.Ordinal) => $"{f.Message} ({f.FileName})",
        ArgumentException a when a.ParamName != null => a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal),
        _ => e.Message,
    };
}
