using System.Text.Json;
using Marten;
using Npgsql;
using R2PTracker.Commitments.Pledges.ReadModel;
using Spectre.Console;

namespace R2PTracker.Commitments.Pledges.Importing;

/// <summary>
/// <c>R2PTracker.Commitments import FILE</c>: the same import as POST /api/import, with a progress
/// bar on stderr. Prints the result as JSON on stdout (exit 0), or the line errors (exit 1).
/// </summary>
public static class ImportCommand
{
    public static async Task<int> RunAsync(string[] args, IServiceProvider services)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (args is not [_, var path])
        {
            console.MarkupLine("usage: [bold]R2PTracker.Commitments import FILE[/] (one JSON object per line; see README, \"Import\")");
            return 2;
        }
        if (!File.Exists(path))
        {
            console.MarkupLineInterpolated($"[red]No file {path}.[/]");
            return 2;
        }
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

        // The service creates these on start; the command may run before it ever has.
        await services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await ReadModelSchema.EnsureAsync(services.GetRequiredService<NpgsqlDataSource>(), cancel.Token);

        var import = services.GetRequiredService<PledgeImport>();
        var length = Math.Max(1, new FileInfo(path).Length);
        ImportOutcome? outcome = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var writingFrom = TimeSpan.Zero;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var check = progress.AddTask("Checking", maxValue: length);
                var write = progress.AddTask("Writing", autoStart: false, maxValue: length);
                outcome = await import.RunAsync(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan),
                    "cli:" + Environment.UserName, (phase, position) =>
                    {
                        var task = phase == PledgeImport.Phase.Checking ? check : write;
                        if (!task.IsStarted)
                        {
                            task.StartTask();
                            if (phase == PledgeImport.Phase.Writing) writingFrom = clock.Elapsed;
                        }
                        task.Value = position;
                    }, cancel.Token);
                check.StopTask();
                write.StopTask();
            });

        if (outcome is { Result: { } result, Conflict: null })
        {
            var total = clock.Elapsed;
            console.MarkupLineInterpolated(
                $"checked in {writingFrom.TotalSeconds:F1} s, wrote in {(total - writingFrom).TotalSeconds:F1} s: {result.Events / Math.Max(0.001, total.TotalSeconds):F0} events/s overall");
            Console.WriteLine(JsonSerializer.Serialize(result, JsonSerializerOptions.Web));
            return 0;
        }
        var table = new Table().AddColumns("line", "field", "message");
        foreach (var e in outcome!.Errors) table.AddRow(e.Line.ToString(), Markup.Escape(e.Field), Markup.Escape(e.Message));
        console.Write(table);
        if (outcome.MoreErrors > 0) console.MarkupLineInterpolated($"… and {outcome.MoreErrors} more line error(s).");
        console.MarkupLineInterpolated($"[red]{outcome.Conflict ?? "Nothing was imported."}[/]");
        if (outcome.Result is { } written) Console.WriteLine(JsonSerializer.Serialize(written, JsonSerializerOptions.Web));
        return 1;
    }
}
