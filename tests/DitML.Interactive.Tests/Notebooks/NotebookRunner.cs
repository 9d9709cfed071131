using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace DitML.Interactive.Tests.Notebooks;

/// <summary>
/// Runs a notebook's code cells in order in one C# scripting state, as the .NET Interactive C# kernel does (each cell
/// is a submission that sees the previous cells' variables and types). The kernel's package magics are replaced by
/// references to the assemblies this test was built with: <c>#r "nuget: …"</c> and <c>#i "nuget: …"</c> lines become
/// comments, and the DitML, ML.NET, TorchSharp and SkiaSharp assemblies of the test's output are referenced instead.
/// </summary>
public static partial class NotebookRunner
{
    // The kernel's own magics that this runner understands; anything else starting with #! or #r/#i is refused.
    [GeneratedRegex("^\\s*#(r|i)\\s+\"nuget:[^\"]*\"\\s*$")]
    private static partial Regex PackageMagic();

    [GeneratedRegex("^\\s*#(!|r\\b|i\\b)")]
    private static partial Regex AnyMagic();

    private static readonly Lazy<ScriptOptions> Options = new(CreateOptions);

    /// <summary>
    /// The cell's source with the package magics commented out (lines keep their numbers for error messages). The
    /// notebooks' reference cell, which asks the kernel itself to restore the packages, becomes a comment: this runner
    /// references the build's assemblies instead (KernelNotebookTests runs that cell in the real kernel).
    /// </summary>
    public static string Translate(string cell)
    {
        if (cell.Contains("Kernel.Root.SendAsync(", StringComparison.Ordinal))
            return string.Join('\n', cell.Split('\n').Select(line => "// (notebook test: referenced from the build) " + line));
        var lines = cell.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (PackageMagic().IsMatch(lines[i])) lines[i] = "// (notebook test: referenced from the build) " + lines[i].TrimStart();
            else if (AnyMagic().IsMatch(lines[i])) throw new NotSupportedException($"line {i + 1}: the notebook test does not support the magic '{lines[i].Trim()}'");
        }
        return string.Join('\n', lines);
    }

    /// <summary>
    /// Runs every code cell of <paramref name="notebook"/>; throws <see cref="AssertFailedException"/> naming the cell on
    /// the first compilation error or exception.
    /// </summary>
    public static async Task<NotebookGlobals> RunAsync(NotebookFile notebook)
    {
        var globals = new NotebookGlobals();
        ScriptState<object>? state = null;
        for (int i = 0; i < notebook.CodeCells.Count; i++)
        {
            string code = Translate(notebook.CodeCells[i]);
            string where = $"{Path.GetFileName(notebook.Path)}, code cell {i + 1}";
            try
            {
                state = state is null
                    ? await CSharpScript.RunAsync(code, Options.Value, globals, typeof(NotebookGlobals))
                    : await state.ContinueWithAsync(code, Options.Value);
            }
            catch (CompilationErrorException e)
            {
                throw new AssertFailedException($"{where} does not compile:\n{string.Join("\n", e.Diagnostics)}\n--- cell ---\n{code}");
            }
            catch (Exception e) when (e is not AssertFailedException)
            {
                throw new AssertFailedException($"{where} threw {e.GetType().Name}: {e.Message}\n--- cell ---\n{code}", e);
            }
        }
        return globals;
    }

    private static ScriptOptions CreateOptions()
    {
        // What `#r "nuget: DitML.*"` would bring: the DitML assemblies and their dependencies, from this test's output.
        string[] prefixes = ["DitML.", "Microsoft.ML", "TorchSharp", "SkiaSharp", "Google.Protobuf", "Microsoft.DotNet.Interactive", "Microsoft.AspNetCore.Html"];
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Where(p => prefixes.Any(Path.GetFileName(p).StartsWith) && !Path.GetFileName(p).Contains(".Tests"))
            .Where(IsManaged);
        // The shared framework, as the kernel references it.
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var frameworkRefs = Directory.GetFiles(framework, "*.dll").Where(IsManaged);
        var references = frameworkRefs.Concat(local).Select(p => MetadataReference.CreateFromFile(p));
        return ScriptOptions.Default
            .WithReferences(references)
            .WithImports("System", "System.Collections.Generic", "System.Linq", "System.Text", "System.Threading.Tasks")
            .WithEmitDebugInformation(false)
            .WithAllowUnsafe(false);
    }

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;    // native libraries shipped as .dll (none on Linux today, but the check is cheap)
        }
    }
}
