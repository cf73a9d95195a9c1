using Npgsql;
using R2PTracker.Commitments.Pledges.ReadModel;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Commitments.Tests.ReadModel;

/// <summary>The read model's tables from an older layout are made again on start; the current ones are kept.</summary>
public class ReadModelSchemaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tables_of_an_older_layout_are_made_again_and_tables_of_this_layout_are_kept()
    {
        await using var db = NpgsqlDataSource.Create(await TestEnvironment.CreateDatabaseAsync("readmodel-schema"));
        // The first layout: status runs without the sort keys, and no record of a layout.
        await Execute(db,
            $"create schema {Configuration.Schema}; "
            + $"create table {ReadModelSchema.StatusRuns} (pledge_id text not null, axis text not null, valid_from date not null, valid_to date, "
            + "status text not null, theme text, actor text not null, country text not null, overdue boolean not null, primary key (pledge_id, axis, valid_from)); "
            + $"insert into {ReadModelSchema.StatusRuns} values ('old', 'recorded', '2020-01-01', null, 'Kept', null, 'A', 'KH', false)");

        await ReadModelSchema.EnsureAsync(db, Ct);

        (await Scalar(db, $"select count(*) from information_schema.columns where table_schema = '{Configuration.Schema}' "
                          + "and table_name = 'pledge_status_runs' and column_name in ('title', 'status_since_key', 'target_key')")).ShouldBe(3L);
        (await Scalar(db, $"select count(*) from {ReadModelSchema.StatusRuns}")).ShouldBe(0L);

        await Execute(db, $"insert into {ReadModelSchema.Words} values ('kept', 'words')");
        await ReadModelSchema.EnsureAsync(db, Ct);
        (await Scalar(db, $"select count(*) from {ReadModelSchema.Words}")).ShouldBe(1L);
    }

    private static async Task Execute(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<object?> Scalar(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return await cmd.ExecuteScalarAsync(Ct);
    }
}
