using System.Text.Json;
using Marten;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.AssessingStatus;
using R2PTracker.Commitments.Pledges.LoggingMilestone;
using R2PTracker.Commitments.Pledges.Registering;
using R2PTracker.Commitments.Recording;

namespace R2PTracker.Commitments.Seeding;

/// <summary>
/// Loads the Cambodian R2P pledges (Seeding/r2p-cambodia.json, taken from the documents in
/// shared/seeds) through the same decisions as the API. Idempotent: a pledge that exists is
/// not registered again and a change whose milestone or status is already there is skipped.
/// </summary>
public static class Seeder
{
    public sealed record SeedFile(string Actor, List<RegisterPledgeRequest> Pledges, List<SeedChange> Changes);

    public sealed record SeedChange(
        string PledgeId, string Kind, string? MilestoneId, string? Title, string? Description, string? Status,
        string? Reason, string OccurredOn, List<EvidenceRequest> Evidence);

    public static async Task<int> RunAsync(IServiceProvider services)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        var clock = services.GetRequiredService<TimeProvider>();
        var path = Path.Combine(AppContext.BaseDirectory, "Seeding", "r2p-cambodia.json");
        var added = await SeedAsync(store, clock, path);
        Console.WriteLine($"seed: {added} event(s) appended");
        return 0;
    }

    public static async Task<int> SeedAsync(IDocumentStore store, TimeProvider clock, string path)
    {
        var file = JsonSerializer.Deserialize<SeedFile>(await File.ReadAllTextAsync(path), JsonSerializerOptions.Web)
                   ?? throw new InvalidOperationException($"Empty seed file {path}.");
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var added = 0;

        foreach (var request in file.Pledges)
        {
            await using var session = store.LightweightSession();
            if (await session.Events.FetchStreamStateAsync(request.Id!) is not null) continue;
            var v = new Http.Validation();
            var command = RegisterPledgeSlice.Validate(request, file.Actor, v)
                          ?? throw new InvalidOperationException($"Seed pledge {request.Id} is invalid: {JsonSerializer.Serialize(v.Errors)}");
            session.Events.StartStream<Pledge>(command.PledgeId,
                (await EventChain.StampAsync(session, command.PledgeId, 0, [RegisterPledgeSlice.Decide(command, today)], clock, CancellationToken.None)).ToArray<object>());
            await session.SaveChangesAsync();
            added++;
        }

        foreach (var change in file.Changes)
        {
            await using var session = store.LightweightSession();
            var current = await session.Events.FetchStreamStateAsync(change.PledgeId)
                          ?? throw new InvalidOperationException($"Seed change for unknown pledge {change.PledgeId}.");
            var stream = await session.Events.FetchForWriting<Pledge>(change.PledgeId, current.Version);
            var pledge = stream.Aggregate ?? throw new InvalidOperationException($"Seed change for unknown pledge {change.PledgeId}.");
            var events = await session.Events.FetchStreamAsync(change.PledgeId);
            var v = new Http.Validation();
            object? decided = null;
            if (change.Kind == "milestone")
            {
                if (events.Any(e => e.Data is MilestoneLogged m && m.MilestoneId == change.MilestoneId)) continue;
                var command = LogMilestoneSlice.Validate(change.PledgeId, change.MilestoneId!,
                    new LogMilestoneRequest(change.Title, change.Description, change.OccurredOn, change.Evidence), file.Actor, today, v);
                if (command is not null) decided = LogMilestoneSlice.Decide(command, pledge, today);
            }
            else
            {
                if (events.Any(e => e.Data is StatusAssessed s && s.To.ToString() == change.Status && s.OccurredOn == change.OccurredOn)) continue;
                var command = AssessStatusSlice.Validate(change.PledgeId,
                    new AssessStatusRequest(change.Status, change.Reason, change.Evidence, change.OccurredOn), file.Actor, today, v);
                if (command is not null) decided = AssessStatusSlice.Decide(command, pledge, today);
            }
            if (decided is null) throw new InvalidOperationException($"Seed change on {change.PledgeId} is invalid: {JsonSerializer.Serialize(v.Errors)}");
            stream.AppendMany((await EventChain.StampAsync(session, change.PledgeId, current.Version, [decided], clock, CancellationToken.None)).ToArray<object>());
            await session.SaveChangesAsync();
            added++;
        }
        return added;
    }
}
