using R2PTracker.Contracts;

namespace R2PTracker.Notifications.Pledges;

/// <summary>
/// What notifications knows of a pledge, so that subscriptions can filter by country and actor
/// without asking commitments, and alerts can name the pledge by its title in the subscriber's language:
/// fed by PledgeRegistered, kept current by PledgeDetailsRevised and PledgeTranslationAdded.
/// Events of one pledge can arrive out of order (each type has its own queue), so each field says
/// which stream version it reflects and an older change never overwrites a newer one; the result is
/// the same whatever order the events arrive in.
/// </summary>
public sealed record PledgeProfile
{
    /// <summary>The key under which <see cref="Titles"/> gives the original title, whose language commitments does not record (BCP 47 "undetermined").</summary>
    public const string OriginalLanguage = "und";

    public required string Id { get; init; }
    public required string Actor { get; init; }
    /// <summary>ISO 3166-1 alpha-2, as commitments records it.</summary>
    public required string Country { get; init; }
    /// <summary>The verbatim original title.</summary>
    public required string Title { get; init; }
    /// <summary>The stream version of the latest event applied.</summary>
    public long Version { get; init; }
    /// <summary>The stream version that set <see cref="Actor"/> (null in profiles stored before it was kept: then <see cref="Version"/>).</summary>
    public long? ActorVersion { get; init; }
    /// <summary>The stream version that set <see cref="Title"/> (null in profiles stored before it was kept: then <see cref="Version"/>).</summary>
    public long? TitleVersion { get; init; }

    /// <summary>The latest translation of the title per language, whichever text it translated (see <see cref="TitleIn"/>).</summary>
    public IReadOnlyDictionary<string, TitleTranslation> TitleTranslations { get; init; } = new Dictionary<string, TitleTranslation>();

    public static PledgeProfile Create(PledgeRegistered e) => new()
    {
        Id = e.PledgeId, Actor = e.Actor, Country = e.Country, Title = e.Title,
        Version = e.StreamVersion, ActorVersion = e.StreamVersion, TitleVersion = e.StreamVersion,
    };

    /// <summary>
    /// The profile after a revision: each field it names changes unless a later event already set that field
    /// (a revision of the actor arriving after a later one of the title still counts).
    /// </summary>
    public PledgeProfile Apply(PledgeDetailsRevised e)
    {
        var actorNewer = e.Actor is not null && e.StreamVersion > (ActorVersion ?? Version);
        var titleNewer = e.Title is not null && e.StreamVersion > (TitleVersion ?? Version);
        if (!actorNewer && !titleNewer) return this;
        return this with
        {
            Actor = actorNewer ? e.Actor! : Actor,
            ActorVersion = actorNewer ? e.StreamVersion : ActorVersion ?? Version,
            Title = titleNewer ? e.Title! : Title,
            TitleVersion = titleNewer ? e.StreamVersion : TitleVersion ?? Version,
            Version = Math.Max(Version, e.StreamVersion),
        };
    }

    /// <summary>
    /// The profile with a translation of the title: the latest per language is kept (an older one arriving
    /// late changes nothing). Translations of other texts are not kept.
    /// </summary>
    public PledgeProfile Apply(PledgeTranslationAdded e)
    {
        if (e.Target != "title" || !Subscriptions.SubscriptionLanguages.IsLanguage(e.Language)) return this;
        if (TitleTranslations.TryGetValue(e.Language, out var current) && current.Version >= e.StreamVersion) return this;
        return this with
        {
            TitleTranslations = new Dictionary<string, TitleTranslation>(TitleTranslations)
            {
                [e.Language] = new(e.Text, e.Original, e.StreamVersion),
            },
            // The fields' own versions are kept before Version moves on: a revision arriving late still counts.
            ActorVersion = ActorVersion ?? Version,
            TitleVersion = TitleVersion ?? Version,
            Version = Math.Max(Version, e.StreamVersion),
        };
    }

    /// <summary>
    /// The title's translation into <paramref name="language"/>, if there is one of the title as it stands.
    /// A translation counts only if it was made of the title as it stands, after the title was last set: once
    /// the title is revised, the translation of the old wording is not offered as the new title's — not even
    /// if a later revision restores the old wording (commitments drops it for good too) — and the original
    /// is shown until someone translates the wording of the day.
    /// </summary>
    public string? TitleIn(string language) =>
        TitleTranslations.TryGetValue(language, out var t) && t.Original == Title && t.Version > (TitleVersion ?? 0) ? t.Text : null;

    /// <summary>The title for a reader of <paramref name="language"/>: its translation, else the original.</summary>
    public string TitleFor(string language) => TitleIn(language) ?? Title;

    /// <summary>The title in each language it is available in: the original under "und", then each current translation.</summary>
    public IReadOnlyDictionary<string, string> Titles()
    {
        var titles = new SortedDictionary<string, string>(StringComparer.Ordinal) { [OriginalLanguage] = Title };
        foreach (var language in TitleTranslations.Keys)
            if (TitleIn(language) is { } text) titles[language] = text;
        return titles;
    }
}

/// <param name="Original">The wording of the title that was translated.</param>
/// <param name="Version">The stream version of the translation's event.</param>
public sealed record TitleTranslation(string Text, string Original, long Version);
