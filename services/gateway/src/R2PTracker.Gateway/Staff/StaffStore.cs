using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace R2PTracker.Gateway.Staff;

public sealed record StaffMember(Guid Id, string Name, string Role);

public sealed record StaffAccount(Guid Id, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>One change to the staff accounts: who (an admin's name, or "cli:&lt;user&gt;") did what to whom, when.</summary>
public sealed record StaffAuditEntry(long Id, DateTimeOffset At, string Actor, string Action, Guid StaffId, string StaffName, string Role);

/// <summary>
/// Staff accounts in PostgreSQL schema "gateway". A token is 32 random bytes shown once; only
/// its SHA-256 is stored (a fast hash suffices for a high-entropy secret). Every addition and
/// revocation writes its audit entry in the same statement, so neither happens unrecorded.
/// </summary>
public sealed class StaffStore(NpgsqlDataSource db, TimeProvider clock)
{
    public static readonly string[] Roles = ["editor", "admin"];
    public const string TokenPrefix = "r2p_";
    public const string Added = "added";
    public const string Revoked = "revoked";

    /// <summary>The actor recorded for the staff command: the operating-system user who ran it.</summary>
    public static string CommandLineActor => "cli:" + Environment.UserName;

    public Task EnsureSchemaAsync(CancellationToken ct = default) => GatewaySchema.EnsureAsync(db, ct);

    public async Task<string> AddAsync(string name, string role, string addedBy, CancellationToken ct = default) =>
        (await AddWithIdAsync(name, role, addedBy, ct)).Token;

    public async Task<(Guid Id, string Token)> AddWithIdAsync(string name, string role, string addedBy, CancellationToken ct = default)
    {
        if (!Roles.Contains(role)) throw new ArgumentException($"Role must be one of: {string.Join(", ", Roles)}.", nameof(role));
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100) throw new ArgumentException("A name of 1 to 100 characters is required.", nameof(name));
        var id = Guid.NewGuid();
        var token = TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var cmd = db.CreateCommand($"""
            WITH added AS (
                INSERT INTO gateway.staff_tokens (id, name, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)
                RETURNING id, name, role, created_at)
            INSERT INTO gateway.staff_audit (at, actor, action, staff_id, staff_name, role)
            SELECT created_at, $6, '{Added}', id, name, role FROM added
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(name);
        cmd.Parameters.AddWithValue(role);
        cmd.Parameters.AddWithValue(Hash(token));
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        cmd.Parameters.AddWithValue(addedBy);
        await cmd.ExecuteNonQueryAsync(ct);
        return (id, token);
    }

    public async Task<StaffMember?> FindByTokenAsync(string token, CancellationToken ct = default)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 200) return null;
        await using var cmd = db.CreateCommand("""
            UPDATE gateway.staff_tokens SET last_used_at = $2
            WHERE token_hash = $1 AND revoked_at IS NULL
            RETURNING id, name, role
            """);
        cmd.Parameters.AddWithValue(Hash(token));
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StaffMember(reader.GetGuid(0), reader.GetString(1), reader.GetString(2)) : null;
    }

    public async Task<StaffMember?> FindActiveByIdAsync(Guid id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT id, name, role FROM gateway.staff_tokens WHERE id = $1 AND revoked_at IS NULL");
        cmd.Parameters.AddWithValue(id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StaffMember(reader.GetGuid(0), reader.GetString(1), reader.GetString(2)) : null;
    }

    public async Task<IReadOnlyList<StaffAccount>> ListAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT id, name, role, created_at, last_used_at, revoked_at FROM gateway.staff_tokens ORDER BY created_at");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var accounts = new List<StaffAccount>();
        while (await reader.ReadAsync(ct))
        {
            accounts.Add(new StaffAccount(reader.GetGuid(0), reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return accounts;
    }

    public async Task<bool> RevokeByIdAsync(Guid id, string revokedBy, CancellationToken ct = default) =>
        await RevokeWhereAsync("id = $1", id, revokedBy, ct) == 1;

    public Task<int> RevokeAsync(string name, string revokedBy, CancellationToken ct = default) =>
        RevokeWhereAsync("name = $1", name, revokedBy, ct);

    private async Task<int> RevokeWhereAsync(string condition, object value, string revokedBy, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            WITH revoked AS (
                UPDATE gateway.staff_tokens SET revoked_at = $2 WHERE {condition} AND revoked_at IS NULL
                RETURNING id, name, role)
            INSERT INTO gateway.staff_audit (at, actor, action, staff_id, staff_name, role)
            SELECT $2, $3, '{Revoked}', id, name, role FROM revoked
            """);
        cmd.Parameters.AddWithValue(value);
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        cmd.Parameters.AddWithValue(revokedBy);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The latest audit entries, newest first.</summary>
    public async Task<IReadOnlyList<StaffAuditEntry>> AuditAsync(int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT id, at, actor, action, staff_id, staff_name, role FROM gateway.staff_audit ORDER BY id DESC LIMIT $1");
        cmd.Parameters.AddWithValue(limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var entries = new List<StaffAuditEntry>();
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new StaffAuditEntry(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2),
                reader.GetString(3), reader.GetGuid(4), reader.GetString(5), reader.GetString(6)));
        }
        return entries;
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
