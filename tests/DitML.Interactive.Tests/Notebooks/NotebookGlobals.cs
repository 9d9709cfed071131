using Microsoft.DotNet.Interactive.Formatting;

namespace DitML.Interactive.Tests.Notebooks;

/// <summary>
/// What a notebook's cells see as globals, standing in for the .NET Interactive kernel's: <c>display(x)</c> records the
/// value and the HTML the kernel would send to the notebook, produced by the registered formatters (so running a
/// notebook also runs DitML's formatters on everything it shows). Public because scripts bind to it.
/// </summary>
public sealed class NotebookGlobals
{
    /// <summary>Everything displayed, in order.</summary>
    public List<object?> Displayed { get; } = new();

    /// <summary>The HTML of each displayed value.</summary>
    public List<string> Html { get; } = new();

    /// <summary>The kernel's <c>display</c>: shows <paramref name="value"/> as HTML.</summary>
    public object? display(object? value)
    {
        Displayed.Add(value);
        Html.Add(value.ToDisplayString("text/html"));
        return value;
    }
}
