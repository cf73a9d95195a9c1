using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Recording;
using R2PTracker.Commitments.Tests.Integration;
using Shouldly;

namespace R2PTracker.Commitments.Tests.ReadModel;

/// <summary>GET /api/pledges/{id}/status-history against the as-of read of the same pledge.</summary>
public class StatusHistoryTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Span(string Status, string From, string? To);

    /// <summary>
    /// A pledge made in 2015-02, recorded in 2025 over several days: status changes (occurred 2016-05,
    /// 2019-12-31, 2021) between changes that leave the status as it was (progress, a milestone),
    /// so that each axis has state spans that must be merged into one status span.
    /// </summary>
    private async Task<string> AppendStoryAsync()
    {
        var id = "hist-" + Guid.NewGuid().ToString("N")[..12];
        var clock = new SettableClock(new DateTimeOffset(2025, 1, 10, 9, 0, 0, TimeSpan.Zero));
        Evidence[] evidence = [new("CICP report", "https://cicp.org.kh/", null)];
        var batches = new (DateTimeOffset RecordedAt, object[] Events)[]
        {
            (new(2025, 1, 10, 9, 0, 0, TimeSpan.Zero), [new PledgeRegistered(id, "Appoint a focal point", "A quote", "A government", "KH",
                "2015-02", null, null, null, "history", new SourceCitation("A letter", "A paper", null, null, null), "seed")]),
            (new(2025, 1, 12, 9, 0, 0, TimeSpan.Zero), [
                new StatusAssessed(id, PledgeStatus.NotYetRated, PledgeStatus.InTheWorks, "Work began", evidence, "2016-05", "Alice"),
                new ProgressAssessed(id, 0, 40, "Halfway there", evidence, "2017", "Alice")]),
            (new(2025, 2, 1, 9, 0, 0, TimeSpan.Zero), [
                new StatusAssessed(id, PledgeStatus.InTheWorks, PledgeStatus.Stalled, "No news", evidence, "2019-12-31", "Alice")]),
            (new(2025, 2, 3, 9, 0, 0, TimeSpan.Zero), [
                new StatusAssessed(id, PledgeStatus.Stalled, PledgeStatus.InTheWorks, "Work resumed", evidence, "2021", "Alice")]),
            (new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero), [
                new MilestoneLogged(id, "m1", "A training", "At Svay Rieng", "2023-09-16", evidence, "Alice")]),
        };
        var version = 0L;
        foreach (var (recordedAt, events) in batches)
        {
            clock.Now = recordedAt;
            await using var session = app.Store.LightweightSession();
            var stamped = await EventChain.StampAsync(session, id, version, events, clock, Ct);
            if (version == 0) session.Events.StartStream<Pledge>(id, stamped.ToArray<object>());
            else session.Events.Append(id, version + events.Length, stamped.ToArray<object>());
            await session.SaveChangesAsync(Ct);
            version += events.Length;
        }
        return id;
    }

    private async Task<List<Span>> SpansAsync(string id, string axis)
    {
        var response = await app.Anonymous().GetAsync($"/api/pledges/{id}/status-history?axis={axis}", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<List<Span>>(Ct))!;
    }

    private async Task<string?> StatusAsOfAsync(string id, DateOnly day, string axis)
    {
        var response = await app.Anonymous().GetAsync($"/api/pledges/{id}?asOf={day:yyyy-MM-dd}&axis={axis}", Ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString();
    }

    private static DateOnly Day(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("occurred")]
    [InlineData("recorded")]
    public async Task Each_status_span_agrees_with_the_as_of_read_on_its_first_middle_and_last_day(string axis)
    {
        var id = await AppendStoryAsync();
        var spans = await SpansAsync(id, axis);

        spans.ShouldBe(axis == "occurred"
            ?
            [
                new("NotYetRated", "2015-02-28", "2016-05-31"), new("InTheWorks", "2016-05-31", "2019-12-31"),
                new("Stalled", "2019-12-31", "2021-12-31"), new("InTheWorks", "2021-12-31", null),
            ]
            :
            [
                new("NotYetRated", "2025-01-10", "2025-01-12"), new("InTheWorks", "2025-01-12", "2025-02-01"),
                new("Stalled", "2025-02-01", "2025-02-03"), new("InTheWorks", "2025-02-03", null),
            ]);
        (await StatusAsOfAsync(id, Day(spans[0].From).AddDays(-1), axis)).ShouldBeNull();
        foreach (var span in spans)
        {
            var first = Day(span.From);
            var last = span.To is null ? first.AddYears(2) : Day(span.To).AddDays(-1);
            foreach (var day in new[] { first, first.AddDays((last.DayNumber - first.DayNumber) / 2), last })
                (await StatusAsOfAsync(id, day, axis)).ShouldBe(span.Status, $"{axis} {day}");
        }
    }

    [Fact]
    public async Task The_default_axis_is_occurred()
    {
        var id = await AppendStoryAsync();
        var response = await app.Anonymous().GetFromJsonAsync<List<Span>>($"/api/pledges/{id}/status-history", Ct);
        response.ShouldBe(await SpansAsync(id, "occurred"));
    }

    [Fact]
    public async Task An_unknown_pledge_is_404_and_a_bad_axis_or_parameter_is_a_400_naming_it()
    {
        var unknown = await app.Anonymous().GetAsync("/api/pledges/nope-nope/status-history", Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknown.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        var id = await AppendStoryAsync();
        foreach (var (query, field) in new[] { ("axis=sideways", "axis"), ("asOf=2020", "asOf"), ("axis=occurred&axis=recorded", "axis") })
        {
            var response = await app.Anonymous().GetAsync($"/api/pledges/{id}/status-history?{query}", Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(query);
        }
    }
}
