using System.Globalization;
using Npgsql;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.AsOf;
using R2PTracker.Commitments.Pledges.GettingPledges;
using R2PTracker.Commitments.Pledges.ReadModel;

namespace R2PTracker.Commitments.Pledges.GettingStatusHistory;

/// <summary>A run of days over which a pledge kept one status: <c>[From, To)</c>, <c>To</c> null while it lasts.</summary>
public record StatusSpan(string Status, string From, string? To);

/// <summary>
/// The status of one pledge over time, read from the read model's status runs on one axis (its
/// spans already merged where only a milestone or progress changed; a few rows a pledge): runs in
/// which only overdue, theme, actor or country changed are merged too, so each span here is one
/// status. One query on the primary key (pledge_id, axis, valid_from).
/// </summary>
public static class GetStatusHistorySlice
{
    private static readonly string[] Parameters = ["axis"];

    public static void MapGetStatusHistory(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/pledges/{id}/status-history", async (string id, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var v = new Validation();
            if (!PledgeFilter.CheckNames(http.Request.Query, Parameters, v)) return Problems.Validation(v);
            if (!PledgeAsOf.TryParseAxis(PledgeFilter.Single(http.Request.Query, "axis"), v, out var axis)) return Problems.Validation(v);

            await using var cmd = db.CreateCommand(
                $"select status, valid_from, valid_to from {ReadModelSchema.StatusRuns} where pledge_id = $1 and axis = $2 order by valid_from");
            cmd.Parameters.Add(new NpgsqlParameter { Value = id });
            cmd.Parameters.Add(new NpgsqlParameter { Value = ReadModelWrites.Name(axis) });
            var spans = new List<(string Status, DateOnly From, DateOnly? To)>();
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var span = (Status: reader.GetString(0), From: reader.GetFieldValue<DateOnly>(1),
                        To: reader.IsDBNull(2) ? (DateOnly?)null : reader.GetFieldValue<DateOnly>(2));
                    if (spans.Count > 0 && spans[^1].Status == span.Status && spans[^1].To == span.From)
                        spans[^1] = spans[^1] with { To = span.To };
                    else spans.Add(span);
                }
            }
            if (spans.Count == 0) return Problems.NotFound(id);
            return Results.Ok(spans.Select(s => new StatusSpan(s.Status, Day(s.From), s.To is { } to ? Day(to) : null)));
        })
        .Reads<StatusSpan[]>("Pledges", "The spans of days a pledge held each status.", StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
        .WithQuery(Parameters);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
