using System.Text.Json;
using Marten;
using R2PTracker.Commitments.Http;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Pledges.AssessingStatus;
using R2PTracker.Commitments.Pledges.LoggingMilestone;
using R2PTracker.Commitments.Pledges.Registering;
using R2PTracker.Commitments.Pledges.Translating;
using R2PTracker.Commitments.Recording;

namespace R2PTracker.Commitments.Seeding;

/// <summary>
/// Loads the Cambodian R2P pledges (Seeding/r2p-cambodia.json, taken from the documents in
/// shared/seeds) through the same decisions as the API. Idempotent: a pledge that exists is
/// not registered again, a change whose milestone or status is already there is skipped, and so is a
/// translation of a text that already has one in that language.
/// </summary>
public static class Seeder
{
    public sealed record SeedFile(string Actor, List<RegisterPledgeRequest> Pledges, List<SeedChange> Changes, SeedTranslations? Translations);

    public sealed record SeedChange(
        string PledgeId, string Kind, string? MilestoneId, string? Title, string? Description, string? Status,
        string? Reason, string OccurredOn, List<EvidenceRequest> Evidence);

    /// <summary>Drafts of one translator, made on one day, of the seed pledges' titles and quotes.</summary>
    public sealed record SeedTranslations(string Translator, string Kind, string TranslatedOn, List<SeedTranslation> Texts);

    public sealed record SeedTranslation(string PledgeId, string Language, string? Title, string? Quote);

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

        foreach (var text in file.Translations?.Texts ?? [])
            added += await TranslateAsync(store, clock, file, text, today);
        return added;
    }

    private static async Task<int> TranslateAsync(IDocumentStore store, TimeProvider clock, SeedFile file, SeedTranslation text, DateOnly today)
    {
        var translations = file.Translations!;
        var seeded = file.Pledges.Single(p => p.Id == text.PledgeId);
        await using var session = store.LightweightSession();
        var current = await session.Events.FetchStreamStateAsync(text.PledgeId)
                      ?? throw new InvalidOperationException($"Seed translation for unknown pledge {text.PledgeId}.");
        var stream = await session.Events.FetchForWriting<Pledge>(text.PledgeId, current.Version);
        var pledge = stream.Aggregate ?? throw new InvalidOperationException($"Seed translation for unknown pledge {text.PledgeId}.");
        var events = await session.Events.FetchStreamAsync(text.PledgeId);
        var decided = new List<object>();
        foreach (var (field, translated, english) in new[] { ("title", text.Title, seeded.Title), ("quote", text.Quote, seeded.Quote) })
        {
            if (translated is null) continue;
            // A draft never replaces a translation already there (its own, or a reviewer's better one), and
            // it translates the seed's wording: a text revised since then is not the one it was made from.
            if (events.Any(e => e.Data is TranslationAdded t && t.MilestoneId is null && t.Field == field && t.Language == text.Language)) continue;
            if (pledge.OriginalOf(null, field) != english) continue;
            var v = new Http.Validation();
            var command = AddTranslationSlice.Validate(text.PledgeId,
                              new AddTranslationRequest(field, text.Language, translated, translations.Translator, translations.Kind, null, translations.TranslatedOn),
                              file.Actor, today, v)
                          ?? throw new InvalidOperationException($"Seed translation of {text.PledgeId} {field} is invalid: {JsonSerializer.Serialize(v.Errors)}");
            decided.Add(AddTranslationSlice.Decide(command, pledge, today));
        }
        if (decided.Count == 0) return 0;
        stream.AppendMany((await EventChain.StampAsync(session, text.PledgeId, current.Version, decided, clock, CancellationToken.None)).ToArray<object>());
        await session.SaveChangesAsync();
        return decided.Count;
    }
}
