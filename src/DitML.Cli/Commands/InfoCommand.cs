using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DitML.Models;
using DitML.Dit;

namespace DitML.Cli.Commands;

/// <summary>
/// `ditml info`: parameters and Gflops of a DiT config, a latent DiffiT preset or an image DiffiT preset (computed from
/// the structure; loads no weights). Gflops are the DiT paper's: multiply-accumulates of one forward pass of one sample.
/// </summary>
internal static class InfoCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new ModelOptions();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("info", "Print the parameters and Gflops (the DiT paper's multiply-accumulates per image) of a DiT or DiffiT config.");
        model.AddTo(command);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            string name = parse.GetValue(model.Model)!;
            if (ImageDiffiTConfig.IsImageDiffiTName(name))
            {
                ImageDiffiTCommands.Info(parse, model, name, parse.GetValue(json), output);
                return 0;
            }
            if (name.StartsWith("DiffiT", StringComparison.OrdinalIgnoreCase))
            {
                var diffit = model.BuildDiffiT(parse, name);
                if (parse.GetValue(json)) WriteJson(output, diffit);
                else WriteText(output, diffit);
                return 0;
            }
            var names = name.Equals("all", StringComparison.OrdinalIgnoreCase) ? DiTConfig.PaperNames : [name];
            var rows = names.Select(n => model.Build(parse, n)).ToList();
            if (parse.GetValue(json)) WriteJson(output, rows, names.Count > 1);
            else if (rows.Count == 1) WriteText(output, rows[0]);
            else WriteTable(output, rows);
            return 0;
        });
        return command;
    }

    private static void WriteText(TextWriter o, DiTConfig c)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine($"model          {c.Name ?? "custom"}{(c.Conditioning != DiTConditioning.AdaLNZero ? $" ({c.Conditioning})" : "")}{(c.TimeDependentAttention ? " + TMSA" : "")}");
        o.WriteLine($"input          {c.InChannels}×{c.InputSize}×{c.InputSize}  ({c.InputSize * 8}-px images through the SD-VAE, if latent)");
        o.WriteLine($"tokens         {c.NumPatches}  (patch {c.PatchSize}, grid {c.GridSize}×{c.GridSize})");
        o.WriteLine($"blocks         {c.Depth} × width {c.HiddenSize}, {c.NumHeads} heads");
        o.WriteLine($"classes        {c.NumClasses}{(c.ClassDropoutProb > 0 ? " + null class" : "")}");
        o.WriteLine($"outputs        {c.OutChannels} channels{(c.LearnSigma ? " (noise + variance)" : " (noise)")}");
        o.WriteLine(string.Create(inv, $"parameters     {DiTComplexity.Parameters(c):N0}"));
        o.WriteLine(string.Create(inv, $"Gflops         {DiTComplexity.Gflops(c):F2}"));
    }

    private static void WriteText(TextWriter o, LatentDiffiTConfig c)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine($"model          {c.Name ?? "custom"} (latent DiffiT as released: TMSA blocks, no adaLN)");
        o.WriteLine($"input          {c.InChannels}×{c.InputSize}×{c.InputSize}  ({c.InputSize * 8}-px images through the SD-VAE)");
        o.WriteLine($"tokens         {c.NumPatches}  (patch {c.PatchSize}, grid {c.GridSize}×{c.GridSize}; global attention, bias table {c.RelativePositionCount}×{c.NumHeads} per block)");
        o.WriteLine($"blocks         {c.Depth} × width {c.HiddenSize}, {c.NumHeads} heads");
        o.WriteLine($"classes        {c.NumClasses}{(c.ClassDropoutProb > 0 ? " + null class" : "")}");
        o.WriteLine($"outputs        {c.OutChannels} channels{(c.LearnSigma ? " (noise + variance)" : " (noise)")}");
        o.WriteLine(string.Create(inv, $"parameters     {LatentDiffiTComplexity.Parameters(c):N0}  ({LatentDiffiTComplexity.Trainable(c):N0} trainable; pos_embed fixed)"));
        o.WriteLine(string.Create(inv, $"Gflops         {LatentDiffiTComplexity.Gflops(c):F2}  (multiply-accumulates, as DiT's)"));
    }

    private static void WriteJson(TextWriter o, LatentDiffiTConfig c)
    {
        var item = new Dictionary<string, object?>
        {
            ["model"] = c.Name,
            ["family"] = "latent-diffit",
            ["parameters"] = LatentDiffiTComplexity.Parameters(c),
            ["trainable_parameters"] = LatentDiffiTComplexity.Trainable(c),
            ["gflops"] = Math.Round(LatentDiffiTComplexity.Gflops(c), 4),
            ["config"] = JsonDocument.Parse(c.ToJson()).RootElement,
        };
        o.WriteLine(JsonSerializer.Serialize(item, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void WriteTable(TextWriter o, IReadOnlyList<DiTConfig> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine($"{"model",-10} {"parameters",15} {"Gflops",9}");
        foreach (var c in rows)
            o.WriteLine(string.Create(inv, $"{c.Name,-10} {DiTComplexity.Parameters(c),15:N0} {DiTComplexity.Gflops(c),9:F2}"));
    }

    private static void WriteJson(TextWriter o, IReadOnlyList<DiTConfig> rows, bool many)
    {
        var items = rows.Select(c => new Dictionary<string, object?>
        {
            ["model"] = c.Name,
            ["parameters"] = DiTComplexity.Parameters(c),
            ["gflops"] = Math.Round(DiTComplexity.Gflops(c), 4),
            ["config"] = JsonDocument.Parse(c.ToJson()).RootElement,
        }).ToList();
        o.WriteLine(JsonSerializer.Serialize(many ? items : (object)items[0], new JsonSerializerOptions { WriteIndented = true }));
    }
}
