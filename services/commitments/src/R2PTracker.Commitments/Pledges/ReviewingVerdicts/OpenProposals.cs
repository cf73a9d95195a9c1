using System.Globalization;
using System.Text;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.GettingPledges;
using R2PTracker.Commitments.Pledges.ReadModel;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.ReviewingVerdicts;

/// <summary>A pledge's open proposal as the queue holds it; <see cref="Version"/> is the pledge's version it is open at.</summary>
public sealed record OpenProposal(
    string PledgeId, string ProposalId, long Version, PledgeStatus From, PledgeStatus Status, string Reason, IReadOnlyList<Evidence> Evidence,
    string OccurredOn, string ProposedBy, string ProposedOn, DateTimeOffset ProposedAt, IReadOnlyList<string> ApprovedBy)
{
    /// <summary>The proposal event, for approval to append its assessment whole.</summary>
    public required StatusProposed Event { get; init; }
}

/// <summary>One item of <c>GET /api/proposals</c>: the open proposal and its pledge's title and current status.</summary>
public sealed record ProposalQueueItem(OpenProposal Proposal, string Title, string CurrentStatus);

/// <summary>
/// The queue of open proposals: one row a pledge at most (a newer proposal replaces the older), kept inline in the
/// append's transaction. A proposal's row goes with any later event of its pledge but its own approvals, which is
/// what makes it stale (see <see cref="VerdictReviewSlice"/>); so the queue is read by its index, never by folding.
/// </summary>
public sealed class OpenProposals : IProjection
{
    public const string Table = Configuration.Schema + ".open_proposals";

    public static readonly string[] Schema =
    [
        $"create table if not exists {Table} (pledge_id text primary key, proposal_id text not null, version bigint not null, "
        + "proposed_at timestamptz not null, data jsonb not null)",
        $"create index if not exists open_proposals_queue on {Table} (proposed_at, pledge_id)",
    ];

    private static readonly JsonSerializerOptions Json = ReadModelWrites.Json;

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var stream in events.GroupBy(e => e.StreamKey!))
        {
            OpenProposal? open = null;
            var touched = false;
            foreach (var e in stream.OrderBy(e => e.Version))
            {
                switch (e.Data)
                {
                    case StatusProposed p:
                        open = From(p, e.Version, e.Timestamp);
                        break;
                    case ProposalApproved a when open is not null && open.ProposalId == a.ProposalId:
                        open = open with { Version = e.Version, ApprovedBy = [.. open.ApprovedBy, a.RecordedBy] };
                        break;
                    case ProposalApproved a:
                        // Approving an earlier page's proposal: the row is moved on in SQL (its approvals kept).
                        operations.QueueSqlCommand(
                            $"update {Table} set version = ?, data = jsonb_set(jsonb_set(data, '{{approvedBy}}', (data->'approvedBy') || to_jsonb(?::text)), "
                            + "'{version}', to_jsonb(?::bigint)) where pledge_id = ? and proposal_id = ?",
                            e.Version, a.RecordedBy, e.Version, stream.Key, a.ProposalId);
                        continue;
                    case IPledgeEvent:
                        open = null;
                        break;
                    default:
                        continue;
                }
                touched = true;
            }
            if (!touched) continue;
            if (open is null)
                operations.QueueSqlCommand($"delete from {Table} where pledge_id = ?", stream.Key);
            else
                operations.QueueSqlCommand(
                    $"insert into {Table} (pledge_id, proposal_id, version, proposed_at, data) values (?, ?, ?, ?, ?::jsonb) "
                    + "on conflict (pledge_id) do update set proposal_id = excluded.proposal_id, version = excluded.version, "
                    + "proposed_at = excluded.proposed_at, data = excluded.data",
                    stream.Key, open.ProposalId, open.Version, open.ProposedAt, JsonSerializer.Serialize(open, Json));
        }
        return Task.CompletedTask;
    }

    private static OpenProposal From(StatusProposed p, long version, DateTimeOffset at) => new(
        p.PledgeId, p.ProposalId, version, p.Assessment.From, p.Assessment.To, p.Assessment.Reason, p.Assessment.Evidence, p.Assessment.OccurredOn,
        p.RecordedBy, p.OccurredOn, at, []) { Event = p };

    public static async Task<OpenProposal?> ForPledgeAsync(IQuerySession session, string pledgeId, CancellationToken ct)
    {
        var rows = await session.AdvancedSql.QueryAsync<string>($"select data::text from {Table} where pledge_id = ?", ct, pledgeId);
        return rows.FirstOrDefault() is { } json ? JsonSerializer.Deserialize<OpenProposal>(json, Json) : null;
    }

    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;

    private sealed record Cursor(DateTimeOffset At, string Id);

    /// <summary><c>GET /api/proposals</c> (staff): the open proposals across pledges, oldest first, paged by key (Link: rel=next).</summary>
    public static void MapOpenProposals(IEndpointRouteBuilder app) =>
        app.MapGet("/api/proposals", async (HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var query = http.Request.Query;
                var v = new Validation();
                if (!PledgeFilter.CheckNames(query, ["limit", "cursor"], v)) return Problems.Validation(v);
                var limit = DefaultLimit;
                if (PledgeFilter.Single(query, "limit") is { } limitText
                    && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
                    v.Add("limit", $"'limit' must be a whole number from 1 to {MaxLimit}.");
                Cursor? cursor = null;
                if (PledgeFilter.Single(query, "cursor") is { } cursorText && (cursor = ReadCursor(cursorText)) is null)
                    v.Add("cursor", "'cursor' is not one this list gave; take it from the Link header of the previous page.");
                if (!v.IsValid) return Problems.Validation(v);

                await using var cmd = db.CreateCommand(
                    $"select p.data::text, s.title, s.status, p.proposed_at, p.pledge_id from {Table} p "
                    + $"join {ReadModelSchema.States} s on s.pledge_id = p.pledge_id and s.axis = 'recorded' and s.valid_to is null "
                    + (cursor is null ? "" : "where (p.proposed_at, p.pledge_id) > ($1, $2) ")
                    + $"order by p.proposed_at, p.pledge_id limit {limit + 1}");
                if (cursor is not null)
                {
                    cmd.Parameters.Add(new NpgsqlParameter { Value = cursor.At });
                    cmd.Parameters.Add(new NpgsqlParameter { Value = cursor.Id });
                }
                var items = new List<(string Json, string Title, string Status, DateTimeOffset At, string Id)>(limit + 1);
                await using (var reader = await cmd.ExecuteReaderAsync(ct))
                    while (await reader.ReadAsync(ct))
                        items.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4)));
                if (items.Count > limit)
                {
                    var last = items[limit - 1];
                    var next = WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(new Cursor(last.At, last.Id)));
                    http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}?limit={limit}&cursor={next}>; rel=\"next\"";
                    items.RemoveAt(limit);
                }
                http.Response.ContentType = "application/json; charset=utf-8";
                var body = new StringBuilder("[");
                for (var i = 0; i < items.Count; i++)
                    body.Append(i > 0 ? "," : "").Append("{\"proposal\":").Append(items[i].Json)
                        .Append(",\"title\":").Append(JsonSerializer.Serialize(items[i].Title))
                        .Append(",\"currentStatus\":").Append(JsonSerializer.Serialize(items[i].Status)).Append('}');
                await http.Response.WriteAsync(body.Append(']').ToString(), ct);
                return Results.Empty;
            })
            .RequireAuthorization(InternalAuth.StaffPolicy)
            .Reads<ProposalQueueItem[]>("Review", "List the open verdict proposals across pledges (staff), oldest first, paged by key (Link: rel=next).",
                StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .WithQuery(["limit", "cursor"]);

    private static Cursor? ReadCursor(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<Cursor>(WebEncoders.Base64UrlDecode(text)) is { Id: not null } c ? c : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
