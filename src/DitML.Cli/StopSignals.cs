using System.Runtime.InteropServices;

namespace DitML.Cli;

/// <summary>
/// Ctrl+C and SIGTERM (sent by <c>kill</c>, <c>docker stop</c>, job schedulers) as one cancellation token, so long
/// commands finish the current step, write a checkpoint (or delete what is unfinished) and exit instead of dying mid-write.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly ConsoleCancelEventHandler onCancel;
    private readonly PosixSignalRegistration onTerminate;

    /// <summary>Listens for both signals; <paramref name="action"/> says what the command does on stopping.</summary>
    public StopSignals(TextWriter error, string action = "writing a checkpoint")
    {
        onCancel = (_, e) =>
        {
            e.Cancel = true;
            source.Cancel();
            error.WriteLine($"\nstopping: {action}…");
        };
        Console.CancelKeyPress += onCancel;
        onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            source.Cancel();
            error.WriteLine($"\nstopping (SIGTERM): {action}…");
        });
    }

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>True once a signal arrived (the command then exits with 130).</summary>
    public bool Requested => source.IsCancellationRequested;

    public void Dispose()
    {
        Console.CancelKeyPress -= onCancel;
        onTerminate.Dispose();
        source.Dispose();
    }
}
