using System.Security.Cryptography;
using System.Text;
using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Weasel.Core;

namespace R2PTracker.Commitments.Submissions;

/// <summary>The submissions' own Marten store (schema "submissions"): its events never share a table with the pledges'.</summary>
public interface ISubmissionStore : IDocumentStore;

public static class SubmissionsConfiguration
{
    public const string Schema = "submissions";

    public static WebApplicationBuilder AddSubmissions(this WebApplicationBuilder builder, bool withDaemon = true)
    {
        builder.Services.AddValidatedOptions<SubmissionOptions>(SubmissionOptions.Section);
        var store = builder.Services.AddMartenStore<ISubmissionStore>(sp =>
            {
                var options = new StoreOptions();
                options.Connection(sp.GetRequiredService<NpgsqlDataSource>());
                options.DatabaseSchemaName = Schema;
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                options.Events.AddEventTypes([typeof(SubmissionReceived), typeof(SubmissionConfirmed), typeof(SubmissionAccepted), typeof(SubmissionRejected)]);
                options.Projections.Snapshot<Submission>(SnapshotLifecycle.Inline);
                options.Schema.For<Submission>().UniqueIndex(s => s.StatusTokenHash).Index(s => s.State);
                options.Schema.For<SubmissionContact>();
                // Its own daemon lock, apart from the pledge store's daemon on the same database.
                options.Projections.DaemonLockId = 0x5ab3155;
                var polling = sp.GetRequiredService<SubmissionOptions>().PollingInterval;
                options.Projections.FastPollingTime = polling;
                options.Projections.SlowPollingTime = polling;
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                return options;
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup();
        if (withDaemon)
            store.AddAsyncDaemon(DaemonMode.HotCold).AddSubscriptionWithServices<SubmissionForwarder>(ServiceLifetime.Singleton);
        return builder;
    }

    public static void MapSubmissions(this IEndpointRouteBuilder app)
    {
        app.MapSubmit();
        app.MapSubmissionStatus();
        app.MapConfirmSubmission();
        app.MapSubmissionQueue();
        app.MapModerateSubmission();
    }
}

/// <summary>The private links' tokens: random, and kept only as a SHA-256 where a lookup by token is needed.</summary>
public static class SubmissionTokens
{
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool SameToken(string expected, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));
}
