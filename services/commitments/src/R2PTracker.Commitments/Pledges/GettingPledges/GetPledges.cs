using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges.AsOf;
using R2PTracker.Commitments.Pledges.ReadModel;
using R2PTracker.Commitments.Pledges.Translating;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.GettingPledges;

/// <summary>
/// The list pages by key: the cursor holds the sort key and id of the last item given, so a page
/// costs the same at the end as at the start, and a walk through all pages returns each match once.
/// </summary>
public static class GetPledgesSlice
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    private static readonly string[] ListParameters = [.. PledgeFilter.Names, "asOf", "axis", "sort", "limit", "cursor", ContentLanguages.QueryName];
    private static readonly string[] OneParameters = ["asOf", "axis", ContentLanguages.QueryName];

    /// <summary>Sort name → the read-model column it orders by (then by id).</summary>
    private static readonly Dictionary<string, string> SortColumns = new(StringComparer.Ordinal)
    {
        ["id"] = "s.pledge_id",
        ["title"] = "s.title",
        ["statusSince"] = "s.status_since_key",
        ["targetDate"] = "s.target_key",
    };

    private sealed record Cursor(string Sort, string Key, string Id);

    public static void MapGetPledges(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/pledges", async (HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var query = http.Request.Query;
            var v = new Validation();
            if (!PledgeFilter.CheckNames(query, ListParameters, v)) return Problems.Validation(v);
            var filter = PledgeFilter.Parse(query, v);
            var language = ReadingLanguage.Requested(http, v);
            var sort = PledgeFilter.Single(query, "sort") ?? "id";
            if (!SortColumns.ContainsKey(sort)) v.Add("sort", $"'sort' must be one of {string.Join(", ", SortColumns.Keys)}.");
            var limit = DefaultLimit;
            if (PledgeFilter.Single(query, "limit") is { } limitText
                && (!int.TryParse(Contracts.Digits.ToAscii(limitText), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
                v.Add("limit", $"'limit' must be a whole number from 1 to {MaxLimit}.");
            Cursor? cursor = null;
            if (PledgeFilter.Single(query, "cursor") is { } cursorText && (cursor = ReadCursor(cursorText)) is null)
                v.Add("cursor", "'cursor' is not one this list gave; take it from the Link header of the previous page.");
            else if (cursor is not null && cursor.Sort != sort)
                v.Add("cursor", $"'cursor' belongs to a list sorted by '{cursor.Sort}', not '{sort}'.");
            if (filter is null || !v.IsValid) return Problems.Validation(v);

            var column = SortColumns[sort];
            var args = new List<NpgsqlParameter>();
            var where = filter.Where(args);
            var total = await CountAsync(db, where, args, ct);

            var pageArgs = new List<NpgsqlParameter>(args.Select(a => a.Clone()));
            var after = cursor is null ? ""
                : sort == "id" ? $" and s.pledge_id > {PledgeFilter.Arg(pageArgs, cursor.Id)}"
                : $" and ({column}, s.pledge_id) > ({PledgeFilter.Arg(pageArgs, cursor.Key)}, {PledgeFilter.Arg(pageArgs, cursor.Id)})";
            string Item(string data) => language is null ? data : ReadingLanguage.Sql(data, PledgeFilter.Arg(pageArgs, language));
            var order = $"order by {(sort == "id" ? "s.pledge_id" : $"{column}, s.pledge_id")} limit {limit + 1}";
            // Today's page walks the partial indexes of the open spans. An as-of page finds its pledges in
            // the runs (narrow, few a pledge) and then each one's state span by primary key.
            // (The page's runs are taken first, in a subquery of their own, so that only they are looked up.)
            await using var cmd = db.CreateCommand(filter.AsOf is { } day
                ? $"select {Item("st.data")}::text, p.pledge_id, p.key from (select s.pledge_id, s.axis, {column} as key "
                  + $"from {ReadModelSchema.StatusRuns} s where {where}{after} {order}) p cross join lateral ("
                  + $"select x.data from {ReadModelSchema.States} x where x.pledge_id = p.pledge_id and x.axis = p.axis "
                  + $"and x.valid_from <= {PledgeFilter.Arg(pageArgs, day)} order by x.valid_from desc limit 1) st order by p.key, p.pledge_id"
                : $"select {Item("s.data")}::text, s.pledge_id, {column} from {ReadModelSchema.States} s where {where}{after} {order}");
            cmd.Parameters.AddRange(pageArgs.ToArray());
            var items = new List<(string Json, string Id, string Key)>(limit + 1);
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) items.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));

            http.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
            if (items.Count > limit)
            {
                var last = items[limit - 1];
                var next = QueryString.Create(query.Where(p => p.Key != "cursor").SelectMany(p => p.Value.Select(x => KeyValuePair.Create(p.Key, x)))
                    .Append(KeyValuePair.Create("cursor", (string?)WriteCursor(new Cursor(sort, last.Key, last.Id)))));
                http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}{next}>; rel=\"next\"";
                items.RemoveAt(limit);
            }
            // The stored JSON goes out as it is, without deserialising.
            http.Response.ContentType = "application/json; charset=utf-8";
            var body = new StringBuilder("[");
            for (var i = 0; i < items.Count; i++) body.Append(i > 0 ? "," : "").Append(items[i].Json);
            await http.Response.WriteAsync(body.Append(']').ToString(), ct);
            return Results.Empty;
        })
        .Reads<Pledge[]>("Pledges", "List pledges, filtered, sorted and paged by key (X-Total-Count, Link: rel=next).", StatusCodes.Status400BadRequest)
        .WithQuery(ListParameters);

        app.MapGet("/api/pledges/{id}", async (
            string id, HttpContext http, IQuerySession session, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var v = new Validation();
            if (!PledgeFilter.CheckNames(http.Request.Query, OneParameters, v)) return Problems.Validation(v);
            var language = ReadingLanguage.Requested(http, v);
            if (!PledgeAsOf.TryParse(PledgeFilter.Single(http.Request.Query, "asOf"), PledgeFilter.Single(http.Request.Query, "axis"), v, out var date, out var on)
                || !v.IsValid)
                return Problems.Validation(v);
            if (date is not null)
            {
                if (await AsOfAsync(db, id, date.Value, on, ct) is not { } json) return Problems.NotFound(id);
                return language is null
                    ? Results.Text(json, "application/json; charset=utf-8")
                    : Results.Json(ReadingLanguage.Localise(JsonNode.Parse(json)!.AsObject(), language));
            }
            var pledge = await session.LoadAsync<Pledge>(id, ct);
            if (pledge is null) return Problems.NotFound(id);
            http.Response.Headers.ETag = Problems.ETag(pledge.Version);
            return language is null
                ? Results.Ok(pledge)
                : Results.Json(ReadingLanguage.Localise(JsonSerializer.SerializeToNode(pledge, ReadModelWrites.Json)!.AsObject(), language));
        })
        .Reads<Pledge>("Pledges", "One pledge's record, today (with its version in ETag) or as of a day.", StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
        .WithQuery(OneParameters);
    }

    /// <summary>The whole record of one pledge as of a day: its state span and its milestones' spans that hold that day.</summary>
    public static async Task<string?> AsOfAsync(NpgsqlDataSource db, string id, DateOnly day, Axis axis, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"""
             select (s.data || jsonb_build_object('milestones', coalesce((
                 select jsonb_agg(m.data order by m.position) from {ReadModelSchema.Milestones} m
                 where m.pledge_id = s.pledge_id and m.axis = s.axis and {PledgeFilter.Spanned("m")} @> $3), '[]'::jsonb)))::text
             from {ReadModelSchema.States} s
             where s.pledge_id = $1 and s.axis = $2 and {PledgeFilter.Spanned("s")} @> $3
             """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = ReadModelWrites.Name(axis) });
        cmd.Parameters.Add(new NpgsqlParameter { Value = day });
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>The matching pledges, counted in the runs: the same filter columns as the state spans, a
    /// fraction of their size.</summary>
    public static async Task<long> CountAsync(NpgsqlDataSource db, string where, List<NpgsqlParameter> args, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"select count(*) from {ReadModelSchema.StatusRuns} s where {where}");
        cmd.Parameters.AddRange(args.Select(a => a.Clone()).ToArray());
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static string WriteCursor(Cursor cursor) => WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(cursor));

    private static Cursor? ReadCursor(string text)
    {
        try
        {
            var cursor = JsonSerializer.Deserialize<Cursor>(WebEncoders.Base64UrlDecode(text));
            return cursor is { Sort: not null, Key: not null, Id: not null } ? cursor : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
