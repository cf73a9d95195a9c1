using Npgsql;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Gateway.Staff;

/// <summary>
/// The gateway's own tables in PostgreSQL schema "gateway": staff accounts (token hashes), the audit
/// log of their administration, and the data protection key ring (see SharedKeyRing). Every instance creates what is missing at start;
/// one statement at a time, so that losing the race for the schema to another instance does not
/// skip the tables after it.
/// </summary>
public static class GatewaySchema
{
    private static readonly string[] Statements =
    [
        PostgresSchemas.CreateIfMissing("gateway"),
        """
        CREATE TABLE IF NOT EXISTS gateway.staff_tokens (
            id uuid PRIMARY KEY,
            name text NOT NULL,
            role text NOT NULL,
            token_hash bytea NOT NULL UNIQUE,
            created_at timestamptz NOT NULL,
            last_used_at timestamptz NULL,
            revoked_at timestamptz NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS gateway.staff_audit (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at timestamptz NOT NULL,
            actor text NOT NULL,
            action text NOT NULL,
            staff_id uuid NOT NULL,
            staff_name text NOT NULL,
            role text NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS gateway.data_protection_keys (
            friendly_name text PRIMARY KEY,
            xml text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """,
    ];

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        foreach (var statement in Statements)
        {
            await using var cmd = db.CreateCommand(statement);
            try
            {
                await cmd.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject)
            {
                // Another instance created it at the same moment.
            }
        }
    }
}
