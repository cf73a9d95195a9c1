using Npgsql;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.ReadModel;

/// <summary>
/// The read model's tables (see README, "Read models"). Created on start under an advisory lock, so
/// several instances starting at once do not race on the same CREATE.
/// </summary>
public static class ReadModelSchema
{
    public const string States = Configuration.Schema + ".pledge_states";
    public const string Milestones = Configuration.Schema + ".pledge_milestone_states";
    public const string StatusRuns = Configuration.Schema + ".pledge_status_runs";
    public const string Search = Configuration.Schema + ".pledge_search";
    public const string Words = Configuration.Schema + ".pledge_search_words";
    public const string Versions = Configuration.Schema + ".pledge_read_versions";
    private const string Format = Configuration.Schema + ".pledge_read_format";

    /// <summary>
    /// The tables' layout. When it changes, the tables are dropped and made again on start, and every
    /// stream's read model is written again from its events (<see cref="ReadModelStartup"/>).
    /// </summary>
    public const int FormatVersion = 6;

    /// <summary>The span that holds a day, as the GiST indexes have it.</summary>
    public const string Span = "daterange(valid_from, valid_to)";

    private const string Current = "where axis = 'recorded' and valid_to is null";

    private static readonly string[] Statements =
    [
        "create extension if not exists pg_trgm",
        PostgresSchemas.CreateIfMissing(Configuration.Schema),
        $"""
         create table if not exists {States} (
           pledge_id text not null, axis text not null, valid_from date not null, valid_to date,
           status text not null, title text not null, theme text, actor text not null, country text not null,
           overdue boolean not null, status_since_key text not null, target_key text not null,
           milestone_count integer not null, data jsonb not null,
           verifiability text not null, reason_code text,
           primary key (pledge_id, axis, valid_from))
         """,
        $"create index if not exists pledge_states_occurred_span on {States} using gist ({Span}) where axis = 'occurred'",
        $"create index if not exists pledge_states_recorded_span on {States} using gist ({Span}) where axis = 'recorded'",
        $"create unique index if not exists pledge_states_current on {States} (pledge_id) {Current}",
        $"create index if not exists pledge_states_current_title on {States} (title, pledge_id) {Current}",
        $"create index if not exists pledge_states_current_status_since on {States} (status_since_key, pledge_id) {Current}",
        $"create index if not exists pledge_states_current_target on {States} (target_key, pledge_id) {Current}",
        // The runs: the spans merged wherever what lists filter, sort and count by stays the same. Few a
        // pledge and narrow, so counts and as-of pages read them instead of the wide state spans.
        $"""
         create table if not exists {StatusRuns} (
           pledge_id text not null, axis text not null, valid_from date not null, valid_to date,
           status text not null, title text not null, theme text, actor text not null, country text not null,
           overdue boolean not null, status_since_key text not null, target_key text not null,
           verifiability text not null, reason_code text,
           primary key (pledge_id, axis, valid_from))
         """,
        $"create index if not exists pledge_status_runs_occurred_span on {StatusRuns} using gist ({Span}) where axis = 'occurred'",
        $"create index if not exists pledge_status_runs_recorded_span on {StatusRuns} using gist ({Span}) where axis = 'recorded'",
        $"create index if not exists pledge_status_runs_current on {StatusRuns} (pledge_id) {Current}",
        $"""
         create table if not exists {Milestones} (
           pledge_id text not null, axis text not null, position integer not null, valid_from date not null, valid_to date,
           data jsonb not null, primary key (pledge_id, axis, position, valid_from))
         """,
        $"""
         create table if not exists {Search} (
           pledge_id text not null, item text not null, text text not null, primary key (pledge_id, item))
         """,
        // What q searches: each pledge's distinct words (lower case), from all its texts in the table above.
        // A word is found by substring, which the trigram index serves in any script: Khmer, written
        // without spaces between words, as well as English. One row a pledge, so a common word costs
        // one match a pledge, not one a milestone.
        $"create table if not exists {Words} (pledge_id text primary key, words text not null)",
        $"create index if not exists pledge_search_words_trigrams on {Words} using gin (words gin_trgm_ops)",
        // The version the read model holds of each pledge, and its latest fact on the occurred axis (last day,
        // first day): an append whose events all come after both extends the open spans (ReadModelWrites.Extend).
        $"create table if not exists {Versions} (pledge_id text primary key, version bigint not null, tail_latest date, tail_earliest date)",
        // Where that append finds each axis's open spans.
        $"create index if not exists pledge_states_open on {States} (pledge_id, axis) where valid_to is null",
        $"create index if not exists pledge_status_runs_open on {StatusRuns} (pledge_id, axis) where valid_to is null",
        $"create index if not exists pledge_milestone_states_open on {Milestones} (pledge_id, axis, position) where valid_to is null",
        .. ReviewingVerdicts.OpenProposals.Schema,
    ];

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('r2p.commitments.read_model'))", connection, tx))
            await lockCmd.ExecuteNonQueryAsync(ct);
        await using (var formatTable = new NpgsqlCommand(
                                     PostgresSchemas.CreateIfMissing(Configuration.Schema) + $"; create table if not exists {Format} (format integer not null)", connection, tx))
            await formatTable.ExecuteNonQueryAsync(ct);
        await using (var read = new NpgsqlCommand($"select max(format) from {Format}", connection, tx))
        {
            if (await read.ExecuteScalarAsync(ct) is not int format || format != FormatVersion)
            {
                // An older layout: made again, and the catch-up on start writes every stream anew.
                var drop = $"drop table if exists {States}, {Milestones}, {StatusRuns}, {Search}, {Words}, {Versions}; "
                           + $"delete from {Format}; insert into {Format} values ({FormatVersion})";
                await using var reset = new NpgsqlCommand(drop, connection, tx);
                await reset.ExecuteNonQueryAsync(ct);
            }
        }
        foreach (var sql in Statements)
        {
            await using var cmd = new NpgsqlCommand(sql, connection, tx);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }
}
